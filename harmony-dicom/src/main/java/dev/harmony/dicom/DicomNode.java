package dev.harmony.dicom;

import java.util.Objects;

/**
 * A remote application entity: AE title, host and port, e.g. {@code DicomNode.parse("PACS@pacs.local:11112")}.
 *
 * @param aeTitle the called AE title
 * @param host host name or address
 * @param port TCP port
 */
public record DicomNode(String aeTitle, String host, int port) {
    public DicomNode {
        aeTitle = AeTitles.require(aeTitle, "AE title");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        // "PACS@a:1,B@b:2" would otherwise parse as one node with host "a:1,B@b": name one node only.
        if (host.chars().anyMatch(c -> c == ',' || c == '@' || c == '/' || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("host '" + host + "' is not a host name or address (one node only)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
    }

    public static DicomNode of(String aeTitle, String host, int port) {
        return new DicomNode(aeTitle, host, port);
    }

    /** Parses {@code AE@host:port}. */
    public static DicomNode parse(String spec) {
        int at = spec.indexOf('@');
        int colon = spec.lastIndexOf(':');
        if (at <= 0 || colon < at + 2 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("expected AE@host:port, got '" + spec + "'");
        }
        try {
            return new DicomNode(spec.substring(0, at), spec.substring(at + 1, colon),
                    Integer.parseInt(spec.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected AE@host:port with a numeric port, got '" + spec + "'");
        }
    }

    @Override
    public String toString() {
        return aeTitle + "@" + host + ":" + port;
    }
}
