package dev.harmony.examples;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The shell commands the runner prints for a newcomer to paste. They must work as pasted: real files,
 * quoted paths, {@code TCP_NODELAY=1} for DCMTK (without it each object stalls ~40 ms on Nagle's
 * algorithm). {@code PrintedCommandsTest} runs them.
 */
public final class PrintedCommands {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=+,@%-]+");

    private PrintedCommands() {
    }

    /** Where the printed {@code sample-ct} line writes its files: {@code <java.io.tmpdir>/harmony-ct}. */
    public static Path sampleDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "harmony-ct");
    }

    /**
     * The DCMTK lines to try a DICOM listener with: a C-ECHO, and a C-STORE of generated sample CT files
     * ({@code sample-ct} first, so the files exist).
     *
     * @param host where the listener is reached, e.g. {@code 127.0.0.1}
     */
    public static List<String> dicom(String callingAe, String calledAe, String host, int port) {
        String peer = " -aet " + quote(callingAe) + " -aec " + quote(calledAe) + " " + quote(host) + " " + port;
        String dir = quote(sampleDir().toString());
        return List.of(
                "TCP_NODELAY=1 echoscu" + peer,
                runner() + " " + SampleCtCommand.NAME + " " + dir + " && TCP_NODELAY=1 storescu" + peer + " " + dir
                        + "/*.dcm");
    }

    /** A DCMTK findscu line listing every study the listener has stored (Study Root, STUDY level). */
    public static String findStudies(String callingAe, String calledAe, String host, int port) {
        return "TCP_NODELAY=1 findscu -S -aet " + quote(callingAe) + " -aec " + quote(calledAe)
                + " -k QueryRetrieveLevel=STUDY -k StudyInstanceUID -k PatientName -k StudyDate -k ModalitiesInStudy"
                + " -k NumberOfStudyRelatedInstances " + quote(host) + " " + port;
    }

    /**
     * How to run this runner again from a shell: {@code java -jar <this jar>}, or
     * {@code java -cp <class path> dev.harmony.examples.Main} when not run from the jar (tests, IDEs).
     */
    public static String runner() {
        try {
            Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (self.toString().endsWith(".jar")) {
                return "java -jar " + quote(self.toString());
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // not from a jar file we can name: fall through to the class path
        }
        return "java -cp " + quote(System.getProperty("java.class.path")) + " " + Main.class.getName();
    }

    /** {@code word} as one POSIX shell word: unchanged when safe, else in single quotes. */
    public static String quote(String word) {
        if (!word.isEmpty() && PLAIN.matcher(word).matches()) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
