package dev.harmony.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Orthanc PACS on free loopback ports with a temporary configuration; stopped by its own pid.
 * It accepts echo, store, find, move and get from any AE; C-MOVE destinations and the peers its REST
 * API may query are the {@code modalities} of its configuration ("DicomModalities").
 */
public final class Orthanc implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final int dicomPort;
    private final int httpPort;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private Orthanc(Process process, int dicomPort, int httpPort, Path log) {
        this.process = process;
        this.dicomPort = dicomPort;
        this.httpPort = httpPort;
        this.log = log;
    }

    public static Orthanc start(Path work, String aeTitle) throws IOException, InterruptedException {
        return start(work, aeTitle, Map.of());
    }

    /** Starts Orthanc as {@code aeTitle}, knowing {@code modalities} (Orthanc's id of a modality -> its node). */
    public static Orthanc start(Path work, String aeTitle, Map<String, DicomNode> modalities)
            throws IOException, InterruptedException {
        return start(work, aeTitle, Dcmtk.freePort(), modalities);
    }

    /**
     * As {@link #start(Path, String, Map)} on DICOM port {@code dicomPort} (from {@link Dcmtk#freePort()}), for
     * peers that must know Orthanc's port before it starts (a C-MOVE SCP sending to it).
     */
    public static Orthanc start(Path work, String aeTitle, int dicomPort, Map<String, DicomNode> modalities)
            throws IOException, InterruptedException {
        String binary = Dcmtk.require("Orthanc");
        Path storage = Files.createDirectories(work.resolve("orthanc-db"));
        int httpPort = Dcmtk.freePort();
        ObjectNode config = JSON.createObjectNode().put("Name", "TEST-PACS").put("StorageDirectory", storage.toString())
                .put("IndexDirectory", storage.toString()).put("HttpPort", httpPort).put("DicomPort", dicomPort)
                .put("DicomAet", aeTitle).put("RemoteAccessAllowed", false).put("AuthenticationEnabled", false)
                .put("DicomAlwaysAllowStore", true).put("DicomAlwaysAllowEcho", true).put("DicomAlwaysAllowFind", true)
                .put("DicomAlwaysAllowMove", true).put("DicomAlwaysAllowGet", true).put("DicomCheckCalledAet", false)
                .put("DicomScuTimeout", 30).put("KeepAlive", false).put("ConcurrentJobs", 2);
        config.putArray("Plugins");
        ObjectNode known = config.putObject("DicomModalities");
        modalities.forEach((id, n) -> known.putArray(id).add(n.aeTitle()).add(n.host()).add(n.port()));
        Path configFile = work.resolve("orthanc.json");
        Files.writeString(configFile, JSON.writeValueAsString(config));
        Path log = work.resolve("orthanc.log");
        Process p = new ProcessBuilder(binary, configFile.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Orthanc o = new Orthanc(p, dicomPort, httpPort, log);
        try {
            Dcmtk.awaitListening(dicomPort, Duration.ofSeconds(60), p);
            Dcmtk.awaitListening(httpPort, Duration.ofSeconds(60), p);
        } catch (AssertionError e) {
            o.close();
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(log), e);
        }
        return o;
    }

    public int dicomPort() {
        return dicomPort;
    }

    /** Orthanc's own log so far (for assertion messages). */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** GET on the REST API, e.g. {@code /instances}. */
    public String get(String path) throws IOException, InterruptedException {
        return new String(send(HttpRequest.newBuilder(uri(path)).GET(), path), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** GET on the REST API, parsed as JSON. */
    public JsonNode json(String path) throws IOException, InterruptedException {
        return JSON.readTree(send(HttpRequest.newBuilder(uri(path)).GET(), path));
    }

    /** GET on the REST API, the raw bytes (e.g. {@code /instances/{id}/file}). */
    public byte[] bytes(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), path);
    }

    /** POST {@code body} (JSON) to the REST API; returns its JSON answer. */
    public JsonNode post(String path, Object body) throws IOException, InterruptedException {
        byte[] answer = send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))), path);
        return answer.length == 0 ? JSON.createObjectNode() : JSON.readTree(answer);
    }

    /** Uploads a Part-10 file through the REST API ({@code POST /instances}), stored as it is; returns its id. */
    public String upload(Path file) throws IOException, InterruptedException {
        byte[] answer = send(HttpRequest.newBuilder(uri("/instances")).header("Content-Type", "application/dicom")
                .POST(HttpRequest.BodyPublishers.ofFile(file)), "/instances");
        return JSON.readTree(answer).path("ID").asText();
    }

    /** Orthanc's id of the {@code type} ("Patient", "Study", "Series", "Instance") with DICOM id {@code uid}, if any. */
    public java.util.Optional<String> lookup(String uid, String type) throws IOException, InterruptedException {
        byte[] answer = send(HttpRequest.newBuilder(uri("/tools/lookup"))
                .POST(HttpRequest.BodyPublishers.ofString(uid)), "/tools/lookup");
        for (JsonNode hit : JSON.readTree(answer)) {
            if (hit.path("Type").asText().equals(type)) {
                return java.util.Optional.of(hit.path("ID").asText());
            }
        }
        return java.util.Optional.empty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + httpPort + path);
    }

    private byte[] send(HttpRequest.Builder request, String path) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("Orthanc " + path + " answered " + r.statusCode() + ": "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return r.body();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
