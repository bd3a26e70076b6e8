package dev.harmony.diagram;

import dev.harmony.pipeline.Diagram;
import dev.harmony.pipeline.Diagram.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A self-contained SVG in five columns: Sources | Harmony (Frontend, Middleware..., Backend) | Targets.
 *
 * <p>Middleware is stacked top to bottom; the frontend sits level with the first middleware and the
 * backend level with the last, so every arrow is either straight or a short curve. Sources fan in to the
 * frontend, targets fan out from the backend. Text is measured with a fixed per-character width (no font
 * metrics), wrapped on words and cut with an ellipsis, so the output depends only on the diagram. Each
 * stage box is a {@code <g data-stage="name">} so a live view can attach figures to it.
 */
final class SvgRenderer {
    private static final int MARGIN = 16;
    private static final int SIDE_WIDTH = 136;
    private static final int STAGE_WIDTH = 160;
    private static final int GAP = 28;
    /** Wider than GAP: fan-in and fan-out curves need room to bend. */
    private static final int SIDE_GAP = 48;
    private static final int BOX_HEIGHT = 72;
    private static final int ROW_PITCH = BOX_HEIGHT + 28;
    private static final int PANEL_PAD = 12;
    private static final int STACK_ARROW_INSET = 36;
    private static final int FIRST_ROW_TOP = 76;
    private static final int TEXT_PAD = 10;
    private static final int MAX_LINES = 3;
    private static final double LABEL_CHAR_WIDTH = 7.8;
    private static final double DETAIL_CHAR_WIDTH = 6.5;
    private static final String FONT = "Helvetica, Arial, sans-serif";
    private static final String ARROW_COLOUR = "#475569";

    /** Fill, stroke and dash of one kind of box; external systems are dashed. */
    private enum Role {
        SOURCE("#f1f5f9", "#64748b", true),
        FRONTEND("#dbeafe", "#2563eb", false),
        MIDDLEWARE("#fef3c7", "#d97706", false),
        BACKEND("#dcfce7", "#16a34a", false),
        TARGET("#f1f5f9", "#64748b", true);

        final String fill;
        final String stroke;
        final boolean dashed;

        Role(String fill, String stroke, boolean dashed) {
            this.fill = fill;
            this.stroke = stroke;
            this.dashed = dashed;
        }

        String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A placed box; {@code top} is in pixels. */
    private record Box(Node node, Role role, int x, double top, int width) {
        double middleY() {
            return top + BOX_HEIGHT / 2.0;
        }

        double right() {
            return x + width;
        }

        double centreX() {
            return x + width / 2.0;
        }

        double bottom() {
            return top + BOX_HEIGHT;
        }
    }

    private SvgRenderer() {
    }

    /** Where everything goes; computed once from the diagram's shape. */
    private record Layout(int width, int height, int panelX, int panelWidth, int panelBottom, List<Box> sources,
            Box frontend, List<Box> middleware, Box backend, List<Box> targets) {
    }

    static String render(Diagram d) {
        Layout l = layout(d);
        String ids = "hm-" + d.pipeline().replaceAll("[^A-Za-z0-9_-]", "_");
        StringBuilder out = new StringBuilder();
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(l.width()).append("\" height=\"")
                .append(l.height()).append("\" viewBox=\"0 0 ").append(l.width()).append(' ').append(l.height())
                .append("\" role=\"img\" data-pipeline=\"").append(escape(d.pipeline())).append("\">\n");
        out.append("  <title>").append(escape("Pipeline " + d.pipeline() + ": " + d.flow())).append("</title>\n");
        out.append("  <defs>\n    <marker id=\"").append(ids).append("-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" "
                + "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
                + "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"" + ARROW_COLOUR + "\"/></marker>\n  </defs>\n");
        out.append("  <g font-family=\"").append(FONT).append("\">\n");
        out.append("  <rect width=\"").append(l.width()).append("\" height=\"").append(l.height())
                .append("\" fill=\"#ffffff\"/>\n");
        panelAndHeadings(out, d, l);
        arrows(out, l, ids);
        l.sources().forEach(b -> box(out, b));
        box(out, l.frontend());
        if (l.middleware().isEmpty()) {
            text(out, l.frontend().right() + GAP + STAGE_WIDTH / 2.0, l.frontend().middleY() - 8, "middle", 11, false,
                    "#94a3b8", "no middleware");
        }
        l.middleware().forEach(b -> box(out, b));
        box(out, l.backend());
        l.targets().forEach(b -> box(out, b));
        out.append("  </g>\n</svg>\n");
        return out.toString();
    }

    private static Layout layout(Diagram d) {
        int sourcesX = MARGIN;
        int frontendX = sourcesX + SIDE_WIDTH + SIDE_GAP;
        int middlewareX = frontendX + STAGE_WIDTH + GAP;
        int backendX = middlewareX + STAGE_WIDTH + GAP;
        int targetsX = backendX + STAGE_WIDTH + SIDE_GAP;
        int width = targetsX + SIDE_WIDTH + MARGIN;

        int middlewareRows = Math.max(1, d.middleware().size());
        int rows = Math.max(middlewareRows, Math.max(d.sources().size(), d.targets().size()));
        double middlewareFirstRow = (rows - middlewareRows) / 2.0;
        double frontendRow = middlewareFirstRow;
        double backendRow = middlewareFirstRow + middlewareRows - 1;

        List<Box> middleware = new ArrayList<>();
        for (int i = 0; i < d.middleware().size(); i++) {
            middleware.add(new Box(d.middleware().get(i), Role.MIDDLEWARE, middlewareX,
                    top(middlewareFirstRow + i), STAGE_WIDTH));
        }
        int panelX = frontendX - PANEL_PAD;
        int panelBottom = (int) Math.round(top(rows - 1) + BOX_HEIGHT + PANEL_PAD + 6);
        return new Layout(width, panelBottom + MARGIN - 4, panelX, backendX + STAGE_WIDTH + PANEL_PAD - panelX,
                panelBottom, column(d.sources(), Role.SOURCE, sourcesX, frontendRow, rows),
                new Box(d.frontend(), Role.FRONTEND, frontendX, top(frontendRow), STAGE_WIDTH), middleware,
                new Box(d.backend(), Role.BACKEND, backendX, top(backendRow), STAGE_WIDTH),
                column(d.targets(), Role.TARGET, targetsX, backendRow, rows));
    }

    /** The Harmony panel behind frontend, middleware and backend, its title, and the five column headings. */
    private static void panelAndHeadings(StringBuilder out, Diagram d, Layout l) {
        int panelTop = MARGIN - 4;
        out.append("  <rect x=\"").append(l.panelX()).append("\" y=\"").append(panelTop).append("\" width=\"")
                .append(l.panelWidth()).append("\" height=\"").append(l.panelBottom() - panelTop)
                .append("\" rx=\"12\" fill=\"#f8fafc\" stroke=\"#cbd5e1\"/>\n");
        text(out, l.panelX() + l.panelWidth() / 2.0, panelTop + 22, "middle", 13, true, "#0f172a",
                fit("Harmony \u00b7 " + d.pipeline(), l.panelWidth() - 2 * TEXT_PAD, LABEL_CHAR_WIDTH));
        double stageCentre = l.frontend().centreX();
        heading(out, MARGIN + SIDE_WIDTH / 2.0, "SOURCES");
        heading(out, stageCentre, "FRONTEND");
        heading(out, stageCentre + STAGE_WIDTH + GAP, "MIDDLEWARE");
        heading(out, l.backend().centreX(), "BACKEND");
        heading(out, l.width() - MARGIN - SIDE_WIDTH / 2.0, "TARGETS");
    }

    /** Sources fan in to the frontend, middleware flows top to bottom, the backend fans out to targets. */
    private static void arrows(StringBuilder out, Layout l, String ids) {
        out.append("  <g fill=\"none\" stroke=\"").append(ARROW_COLOUR).append("\" stroke-width=\"1.5\" marker-end=\"url(#")
                .append(ids).append("-arrow)\">\n");
        Box frontend = l.frontend();
        Box backend = l.backend();
        List<Box> middleware = l.middleware();
        for (Box s : l.sources()) {
            curve(out, s.right(), s.middleY(), frontend.x(), frontend.middleY());
        }
        if (middleware.isEmpty()) {
            curve(out, frontend.right(), frontend.middleY(), backend.x(), backend.middleY());
        } else {
            curve(out, frontend.right(), frontend.middleY(), middleware.get(0).x(), middleware.get(0).middleY());
            for (int i = 1; i < middleware.size(); i++) {
                Box from = middleware.get(i - 1);
                Box to = middleware.get(i);
                // left of centre, so the right half of each box top stays free for a live view's badge
                line(out, from.x() + STACK_ARROW_INSET, from.bottom(), to.x() + STACK_ARROW_INSET, to.top());
            }
            Box last = middleware.get(middleware.size() - 1);
            curve(out, last.right(), last.middleY(), backend.x(), backend.middleY());
        }
        for (Box t : l.targets()) {
            curve(out, backend.right(), backend.middleY(), t.x(), t.middleY());
        }
        out.append("  </g>\n");
    }

    private static double top(double row) {
        return FIRST_ROW_TOP + row * ROW_PITCH;
    }

    /** A side column, centred on the stage it connects to and kept inside the drawing. */
    private static List<Box> column(List<Node> nodes, Role role, int x, double anchorRow, int rows) {
        double first = Math.max(0, Math.min(rows - nodes.size(), anchorRow - (nodes.size() - 1) / 2.0));
        List<Box> boxes = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            boxes.add(new Box(nodes.get(i), role, x, top(first + i), SIDE_WIDTH));
        }
        return boxes;
    }

    private static void heading(StringBuilder out, double centreX, String title) {
        out.append("  <text x=\"").append(num(centreX)).append("\" y=\"").append(58)
                .append("\" text-anchor=\"middle\" font-size=\"10.5\" font-weight=\"bold\" letter-spacing=\"1.2\" "
                        + "fill=\"#64748b\">").append(title).append("</text>\n");
    }

    private static void box(StringBuilder out, Box b) {
        boolean stage = b.role() != Role.SOURCE && b.role() != Role.TARGET;
        out.append("  <g ").append(stage ? "data-stage" : "data-node").append("=\"").append(escape(b.node().id()))
                .append("\" data-role=\"").append(b.role().attribute()).append("\">\n");
        out.append("    <title>").append(escape(b.node().text())).append("</title>\n");
        out.append("    <rect x=\"").append(b.x()).append("\" y=\"").append(num(b.top())).append("\" width=\"")
                .append(b.width()).append("\" height=\"").append(BOX_HEIGHT).append("\" rx=\"9\" fill=\"")
                .append(b.role().fill).append("\" stroke=\"").append(b.role().stroke).append("\" stroke-width=\"1.5\"")
                .append(b.role().dashed ? " stroke-dasharray=\"5 3\"" : "").append("/>\n");
        int inner = b.width() - 2 * TEXT_PAD;
        List<String> detail = b.node().detail().isBlank() ? List.of()
                : wrap(b.node().detail(), chars(inner, DETAIL_CHAR_WIDTH), MAX_LINES - 1);
        List<String> label = wrap(b.node().label(), chars(inner, LABEL_CHAR_WIDTH), MAX_LINES - Math.min(1, detail.size()));
        if (label.size() + detail.size() > MAX_LINES) {
            detail = wrap(b.node().detail(), chars(inner, DETAIL_CHAR_WIDTH), MAX_LINES - label.size());
        }
        double labelLine = 17;
        double detailLine = 15;
        double textHeight = label.size() * labelLine + detail.size() * detailLine;
        double y = b.top() + (BOX_HEIGHT - textHeight) / 2;
        for (String line : label) {
            text(out, b.centreX(), y + labelLine / 2 + 4.5, "middle", 13, true, "#0f172a", line);
            y += labelLine;
        }
        for (String line : detail) {
            text(out, b.centreX(), y + detailLine / 2 + 4, "middle", 11.5, false, "#475569", line);
            y += detailLine;
        }
        out.append("  </g>\n");
    }

    private static void text(StringBuilder out, double x, double y, String anchor, double size, boolean bold,
            String fill, String content) {
        out.append("    <text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"")
                .append(anchor).append("\" font-size=\"").append(num(size)).append('"')
                .append(bold ? " font-weight=\"bold\"" : "").append(" fill=\"").append(fill).append("\">")
                .append(escape(content)).append("</text>\n");
    }

    private static void curve(StringBuilder out, double x1, double y1, double x2, double y2) {
        if (y1 == y2) {
            line(out, x1, y1, x2 - 1, y2);
            return;
        }
        double bend = (x2 - x1) / 2;
        out.append("    <path d=\"M").append(num(x1)).append(',').append(num(y1)).append(" C")
                .append(num(x1 + bend)).append(',').append(num(y1)).append(' ')
                .append(num(x2 - bend)).append(',').append(num(y2)).append(' ')
                .append(num(x2 - 1)).append(',').append(num(y2)).append("\"/>\n");
    }

    private static void line(StringBuilder out, double x1, double y1, double x2, double y2) {
        double endY = y2 > y1 ? y2 - 1 : y2;
        out.append("    <path d=\"M").append(num(x1)).append(',').append(num(y1)).append(" L").append(num(x2))
                .append(',').append(num(endY)).append("\"/>\n");
    }

    private static int chars(int pixels, double charWidth) {
        return (int) Math.floor(pixels / charWidth);
    }

    /**
     * Splits {@code s} on spaces into at most {@code maxLines} lines of at most {@code width} characters;
     * words longer than a line are cut, and text that does not fit ends with an ellipsis.
     */
    static List<String> wrap(String s, int width, int maxLines) {
        List<String> pieces = new ArrayList<>();
        for (String word : s.strip().split("\\s+")) {
            while (word.length() > width) {
                int cut = breakPoint(word, width);
                pieces.add(word.substring(0, cut));
                word = word.substring(cut);
            }
            if (!word.isEmpty()) {
                pieces.add(word);
            }
        }
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String piece : pieces) {
            if (current.length() > 0 && current.length() + 1 + piece.length() > width) {
                lines.add(current.toString());
                current.setLength(0);
            }
            current.append(current.length() > 0 ? " " : "").append(piece);
        }
        if (current.length() > 0) {
            lines.add(current.toString());
        }
        if (lines.size() <= maxLines) {
            return lines;
        }
        List<String> kept = new ArrayList<>(lines.subList(0, maxLines - 1));
        String last = lines.get(maxLines - 1);
        kept.add(last.length() < width ? last + "\u2026" : fit(last + "\u2026", width));
        return kept;
    }

    /** Where to split a word longer than a line: after the last '/', '-', '_', '.' or ':' that fits, else at the width. */
    private static int breakPoint(String word, int width) {
        for (int i = width; i > width / 3; i--) {
            if ("/-_.:".indexOf(word.charAt(i - 1)) >= 0) {
                return i;
            }
        }
        return width;
    }

    /** {@code s} cut to {@code width} characters, ending with an ellipsis when cut. */
    private static String fit(String s, int width) {
        if (s.length() <= width) {
            return s;
        }
        return s.substring(0, Math.max(0, width - 1)).stripTrailing() + "\u2026";
    }

    private static String fit(String s, int pixels, double charWidth) {
        return fit(s, chars(pixels, charWidth));
    }

    private static String num(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** XML-escapes text and drops characters XML 1.0 cannot carry. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    boolean legal = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                            || (c >= 0xE000 && c <= 0xFFFD) || c >= 0x10000;
                    if (legal) {
                        b.appendCodePoint(c);
                    }
                }
            }
        });
        return b.toString();
    }
}
