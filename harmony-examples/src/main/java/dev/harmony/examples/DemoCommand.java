package dev.harmony.examples;

import dev.harmony.examples.all.ShowcaseSettings;

/**
 * {@code demo}: {@code all --demo} on free ports (so it never collides with a running {@code all}),
 * without a dashboard unless asked for, and with received files in a temporary directory removed on exit
 * (so a run leaves nothing behind); exits 0 only if every step behaved as expected.
 */
final class DemoCommand extends AllCommand {

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "start all three pipelines on free ports, drive sample traffic, print a report, exit";
    }

    @Override
    public String usage() {
        return super.usage().replace("usage: all [--demo]", "usage: demo").replace("all [--demo]", "demo")
                + "(demo picks free ports unless given, runs no dashboard unless --dashboard is given, and keeps\n"
                + " received files in a temporary directory it removes on exit unless --dicom-dir is given)\n";
    }

    @Override
    ShowcaseSettings defaults() {
        return ShowcaseSettings.DEFAULTS.ephemeral(ShowcaseSettings.DEFAULTS.dicomDir());
    }

    @Override
    boolean dashboardByDefault() {
        return false;
    }

    @Override
    boolean demo(Args args) {
        return true;
    }

    @Override
    boolean scratchDicomDir(Args args) {
        return args.get("dicom-dir").isEmpty();
    }
}
