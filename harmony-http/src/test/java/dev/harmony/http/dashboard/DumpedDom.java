package dev.harmony.http.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the dashboard's figures out of a DOM serialized by the browser (tags as the page writes them). */
final class DumpedDom {
    private static final Pattern ROW = Pattern.compile("<tr data-stage=\"([^\"]*)\">(.*?)</tr>", Pattern.DOTALL);
    private static final Pattern CELL = Pattern.compile(
            "<(?:td|span)[^>]*?data-field=\"([^\"]+)\"[^>]*>([^<]*)</(?:td|span)>");
    private static final Pattern POLLS = Pattern.compile("id=\"status\"[^>]*data-polls=\"(\\d+)\"");

    private final String html;

    DumpedDom(String html) {
        this.html = html;
    }

    /** The markup of one pipeline's section. */
    String section(String pipeline) {
        int start = html.indexOf("<section class=\"pipeline\" data-pipeline=\"" + pipeline + "\"");
        if (start < 0) {
            throw new AssertionError("no section for pipeline " + pipeline + " in the page:\n" + html);
        }
        int end = html.indexOf("</section>", start);
        return html.substring(start, end);
    }

    /** Field name to shown text, for the summary above the diagram. */
    Map<String, String> summary(String pipeline) {
        String s = section(pipeline);
        int start = s.indexOf("<div class=\"summary\">");
        return cells(s.substring(start, s.indexOf("<div class=\"diagram\">", start)));
    }

    /** Field name to shown text, for one stage's table row. */
    Map<String, String> row(String pipeline, String stage) {
        Matcher m = ROW.matcher(section(pipeline));
        while (m.find()) {
            if (m.group(1).equals(stage)) {
                return cells(m.group(2));
            }
        }
        throw new AssertionError("no row for stage " + stage + " of " + pipeline);
    }

    /** Field name to shown text, for one queue destination's row of a pipeline's delivery table. */
    Map<String, String> delivery(String pipeline, String destination) {
        String s = section(pipeline);
        int start = s.indexOf("<tr data-destination=\"" + destination + "\"");
        if (start < 0) {
            throw new AssertionError("no delivery row for " + destination + " of " + pipeline + ":\n" + s);
        }
        return cells(s.substring(start, s.indexOf("</tr>", start)));
    }

    /** How many times the page's script fetched and applied figures. */
    int polls() {
        Matcher m = POLLS.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no poll counter in the page");
        }
        return Integer.parseInt(m.group(1));
    }

    private static Map<String, String> cells(String markup) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = CELL.matcher(markup);
        while (m.find()) {
            out.put(m.group(1), m.group(2).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"));
        }
        return out;
    }
}
