package dev.harmony.examples.all;

/**
 * One thing the demo did and whether it behaved as expected.
 *
 * @param pipeline which seed pipeline it exercised
 * @param action what was done, e.g. "store 10 CT objects as MODALITY"
 * @param expected what should happen
 * @param observed what did happen
 * @param ok whether observed matches expected
 */
public record DemoStep(String pipeline, String action, String expected, String observed, boolean ok) {

    static DemoStep check(String pipeline, String action, String expected, String observed, boolean ok) {
        return new DemoStep(pipeline, action, expected, observed, ok);
    }
}
