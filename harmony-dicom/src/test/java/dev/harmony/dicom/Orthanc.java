package dev.harmony.dicom;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real Orthanc PACS on free loopback ports with a temporary configuration; stopped by its own pid. */
public final class Orthanc implements AutoCloseable {
    private final Process process;
    private final int dicomPort;
    private final int httpPort;
    private final HttpClient http = HttpClient.newHttpClient();

    private Orthanc(Process process, int dicomPort, int httpPort) {
        this.process = process;
        this.dicomPort = dicomPort;
        this.httpPort = httpPort;
    }

    public static Orthanc start(Path work, String aeTitle) throws IOException, InterruptedException {
        return start(work, aeTitle, "");
    }

    /** As {@link #start(Path, String)}, with {@code extraConfig} (e.g. {@code ,"DicomModalities":{...}}) added. */
    public static Orthanc start(Path work, String aeTitle, String extraConfig) throws IOException, InterruptedException {
        String binary = Dcmtk.require("Orthanc");
        Path storage = Files.createDirectories(work.resolve("orthanc-db"));
        int dicomPort = Dcmtk.freePort();
        int httpPort = Dcmtk.freePort();
        Path config = work.resolve("orthanc.json");
        Files.writeString(config, "{\"Name\":\"TEST-PACS\",\"StorageDirectory\":\"" + storage + "\",\"IndexDirectory\":\""
                + storage + "\",\"HttpPort\":" + httpPort + ",\"DicomPort\":" + dicomPort + ",\"DicomAet\":\"" + aeTitle
                + "\",\"RemoteAccessAllowed\":false,\"AuthenticationEnabled\":false,\"Plugins\":[],"
                + "\"DicomAlwaysAllowStore\":true,\"DicomAlwaysAllowEcho\":true,\"DicomAlwaysAllowFind\":true,\"DicomCheckCalledAet\":false,"
                + "\"DicomAlwaysAllowGet\":true,\"DicomAlwaysAllowMove\":true" + extraConfig + "}");
        Process p = new ProcessBuilder(binary, config.toString()).redirectErrorStream(true)
                .redirectOutput(work.resolve("orthanc.log").toFile()).start();
        Orthanc o = new Orthanc(p, dicomPort, httpPort);
        try {
            Dcmtk.awaitListening(dicomPort, Duration.ofSeconds(60), p);
            Dcmtk.awaitListening(httpPort, Duration.ofSeconds(60), p);
        } catch (AssertionError e) {
            o.close();
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(work.resolve("orthanc.log")), e);
        }
        return o;
    }

    public int dicomPort() {
        return dicomPort;
    }

    /** GET on the REST API, e.g. {@code /instances}. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("Orthanc " + path + " answered " + r.statusCode() + ": " + r.body());
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
