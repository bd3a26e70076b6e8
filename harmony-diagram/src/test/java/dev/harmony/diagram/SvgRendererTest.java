package dev.harmony.diagram;

import dev.harmony.pipeline.Diagram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.Diagram.Node;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Stage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgRendererTest {

    @Test
    void seedPipelinesAreWellFormedSvgWithOneGroupPerStage() throws Exception {
        for (Pipeline p : SvgSeedPipelines.all()) {
            Document doc = parse(DiagramRenderer.svg().render(p.diagram()));
            Element root = doc.getDocumentElement();
            assertThat(root.getLocalName()).isEqualTo("svg");
            assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
            assertThat(root.getAttribute("data-pipeline")).isEqualTo(p.name());
            List<String> stageIds = p.diagram().stages().stream().map(Node::id).toList();
            assertThat(attributeValues(doc, "data-stage")).containsExactlyElementsOf(stageIds);
            assertThat(attributeValues(doc, "data-node")).hasSize(p.diagram().sources().size() + p.diagram().targets().size());
        }
    }

    @Test
    void isSelfContained() {
        for (Pipeline p : SvgSeedPipelines.all()) {
            String svg = DiagramRenderer.svg().render(p.diagram());
            assertThat(svg).doesNotContain("<script", "<style", "@import", "@font-face", "href=", "<image")
                    .contains("xmlns=\"http://www.w3.org/2000/svg\"");
            // the namespace is the only URL; nothing is fetched
            assertThat(svg.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
        }
    }

    @Test
    void escapesMarkupAndDropsCharactersXmlCannotCarry() throws Exception {
        String nasty = "<b>&\"quoted\" 'it'\u0001";
        Diagram d = new Diagram("p<&>", List.of(new Node("s0", nasty, nasty)), new Node("f\"1", "F", ""),
                List.of(new Node("m&1", "M", "x < y")), new Node("b'1", "B", ""), List.of());
        Document doc = parse(DiagramRenderer.svg().render(d));
        assertThat(doc.getDocumentElement().getAttribute("data-pipeline")).isEqualTo("p<&>");
        assertThat(attributeValues(doc, "data-stage")).containsExactly("f\"1", "m&1", "b'1");
        assertThat(texts(doc)).contains("x < y").anySatisfy(t -> assertThat(t).startsWith("<b>&"));
        assertThat(doc.getDocumentElement().getTextContent()).doesNotContain("\u0001");
    }

    @Test
    void wrapsOnWordsAndCutsWithAnEllipsis() {
        assertThat(SvgRenderer.wrap("Forward Request", 21, 2)).containsExactly("Forward Request");
        assertThat(SvgRenderer.wrap("one two three four", 9, 3)).containsExactly("one two", "three", "four");
        assertThat(SvgRenderer.wrap("one two three four five six", 9, 2)).containsExactly("one two", "three\u2026");
        assertThat(SvgRenderer.wrap("abcdefghijklmnop", 6, 2)).containsExactly("abcdef", "ghijk\u2026");
        assertThat(SvgRenderer.wrap("  spaced   out  ", 20, 1)).containsExactly("spaced out");
        // long paths break after a separator rather than mid-name
        assertThat(SvgRenderer.wrap("harmony-data/dicom", 16, 2)).containsExactly("harmony-data/", "dicom");
        assertThat(SvgRenderer.wrap("/var/lib/harmony/incoming", 12, 3)).containsExactly("/var/lib/", "harmony/", "incoming");
    }

    @Test
    void longTextStaysInsideItsBoxWithAtMostThreeLines() throws Exception {
        String longLabel = "A Very Long Stage Label That Keeps Going And Going";
        String longDetail = "upstream https://fhir.example.org/baseR4 with a timeout of thirty seconds";
        Diagram d = new Diagram("long", List.of(), new Node("f", longLabel, longDetail), List.of(),
                new Node("b", "B", longDetail), List.of());
        Document doc = parse(DiagramRenderer.svg().render(d));
        Element frontend = stageGroup(doc, "f");
        NodeList lines = frontend.getElementsByTagNameNS("*", "text");
        assertThat(lines.getLength()).isEqualTo(3);
        for (int i = 0; i < lines.getLength(); i++) {
            assertThat(lines.item(i).getTextContent().length()).isLessThanOrEqualTo(22);
        }
        assertThat(lines.item(lines.getLength() - 1).getTextContent()).endsWith("\u2026");
        // the full text stays available as the box's tooltip
        assertThat(frontend.getElementsByTagNameNS("*", "title").item(0).getTextContent())
                .isEqualTo(longLabel + " (" + longDetail + ")");
    }

    @Test
    void manySourcesAndTargetsAndNoMiddlewareStayInsideTheDrawing() throws Exception {
        List<Node> sources = new ArrayList<>();
        List<Node> targets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sources.add(new Node("source-" + i, "Source " + i, ""));
        }
        for (int i = 0; i < 5; i++) {
            targets.add(new Node("target-" + i, "Target " + i, "detail"));
        }
        Diagram d = new Diagram("wide", sources, new Node("f", "F", ""), List.of(), new Node("b", "B", ""), targets);
        Document doc = parse(DiagramRenderer.svg().render(d));
        double height = Double.parseDouble(doc.getDocumentElement().getAttribute("height"));
        double width = Double.parseDouble(doc.getDocumentElement().getAttribute("width"));
        NodeList rects = doc.getElementsByTagNameNS("*", "rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            assertThat(Double.parseDouble(r.getAttribute("x").isEmpty() ? "0" : r.getAttribute("x"))
                    + Double.parseDouble(r.getAttribute("width"))).isLessThanOrEqualTo(width);
            assertThat(Double.parseDouble(r.getAttribute("y").isEmpty() ? "0" : r.getAttribute("y"))
                    + Double.parseDouble(r.getAttribute("height"))).isLessThanOrEqualTo(height);
        }
        assertThat(attributeValues(doc, "data-node")).hasSize(8);
        assertThat(texts(doc)).contains("no middleware");
        // one arrow per source, frontend to backend, one per target
        assertThat(doc.getElementsByTagNameNS("*", "path").getLength() - 1).isEqualTo(3 + 1 + 5);
    }

    @Test
    void aStageConfiguredWithASecretDoesNotLeakItIntoAnyRendering() {
        String secret = "hs256-secret-Zm9vYmFyYmF6cXV4";
        Middleware guard = new SecretHoldingGuard(secret);
        Pipeline p = Pipeline.builder().name("secretive")
                .frontend(SvgSeedPipelines.frontend("HTTP Ingress", "Port 8080"))
                .use(guard)
                .backend(SvgSeedPipelines.backend("HTTP Client", "Forward Request"))
                .build();
        for (DiagramRenderer r : List.of(DiagramRenderer.svg(), DiagramRenderer.text(), DiagramRenderer.mermaid())) {
            String out = r.render(p.diagram());
            assertThat(out).contains("Auth Guard").contains("JWT HS256").doesNotContain(secret);
        }
    }

    /** Keeps its key in a field and in toString(); only describe() may reach a diagram. */
    private record SecretHoldingGuard(String key) implements Middleware {
        @Override
        public Response intercept(Chain chain) {
            return chain.proceed(chain.request());
        }

        @Override
        public Stage.Description describe() {
            return new Stage.Description("Auth Guard", "JWT HS256, issuer https://idp.example");
        }
    }

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> attributeValues(Document doc, String attribute) {
        List<String> values = new ArrayList<>();
        NodeList groups = doc.getElementsByTagNameNS("*", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.hasAttribute(attribute)) {
                values.add(g.getAttribute(attribute));
            }
        }
        return values;
    }

    private static Element stageGroup(Document doc, String stage) {
        NodeList groups = doc.getElementsByTagNameNS("*", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (stage.equals(g.getAttribute("data-stage"))) {
                return g;
            }
        }
        throw new AssertionError("no stage group " + stage);
    }

    private static List<String> texts(Document doc) {
        List<String> out = new ArrayList<>();
        NodeList texts = doc.getElementsByTagNameNS("*", "text");
        for (int i = 0; i < texts.getLength(); i++) {
            out.add(texts.item(i).getTextContent());
        }
        return out;
    }
}
