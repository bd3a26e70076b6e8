package dev.harmony.http.frontend;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which peers may tell us the real client address through {@code X-Forwarded-For} (or, without one,
 * RFC 7239 {@code Forwarded: for=}): a list of addresses and CIDR ranges ({@code 10.0.0.0/8},
 * {@code ::1}). Everyone else's headers are dropped (see {@link ProxyHeaders}), since any client can
 * write them.
 */
final class TrustedProxies {
    private static final TrustedProxies NONE = new TrustedProxies(List.of());
    /** IPv4/IPv6 literal characters only, so {@link InetAddress#getByName} never does a DNS lookup. */
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private record Range(byte[] network, int prefixBits) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Range> ranges;

    private TrustedProxies(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses literal addresses or CIDR ranges (no host names: resolving them would make trust depend on DNS).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    static TrustedProxies of(List<String> entries) {
        List<Range> out = new ArrayList<>();
        for (String entry : entries) {
            String e = entry.strip();
            int slash = e.indexOf('/');
            String host = slash < 0 ? e : e.substring(0, slash);
            if (!IP_LITERAL.matcher(host).matches()) {
                throw new IllegalArgumentException("HttpIngress.trustProxies: '" + entry
                        + "' is not an IP address or CIDR range");
            }
            try {
                byte[] network = InetAddress.getByName(host).getAddress();
                int bits = slash < 0 ? network.length * 8 : Integer.parseInt(e.substring(slash + 1));
                if (bits < 0 || bits > network.length * 8) {
                    throw new IllegalArgumentException("HttpIngress.trustProxies: bad prefix length in '" + entry + "'");
                }
                out.add(new Range(network, bits));
            } catch (UnknownHostException | NumberFormatException ex) {
                throw new IllegalArgumentException("HttpIngress.trustProxies: '" + entry
                        + "' is not an IP address or CIDR range", ex);
            }
        }
        return new TrustedProxies(out);
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }

    boolean trusts(InetAddress address) {
        for (Range r : ranges) {
            if (r.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client: walking {@code X-Forwarded-For} from the right (the entry our peer added last), the
     * first address that is not a trusted proxy. Without a trusted peer the peer itself.
     */
    InetSocketAddress resolve(InetSocketAddress peer, List<String> forwardedFor) {
        if (peer == null || peer.getAddress() == null || !trusts(peer.getAddress()) || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : forwardedFor) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        InetSocketAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress address = literal(hops.get(i));
            if (address == null) {
                break; // garbage in the chain: stop at the last address we could trust
            }
            client = new InetSocketAddress(address, 0);
            if (!trusts(address)) {
                break;
            }
        }
        return client;
    }

    /**
     * The {@code for=} nodes of RFC 7239 {@code Forwarded} headers, in order, as hops for {@link #resolve}
     * ({@code unknown} and obfuscated nodes included: the walk stops at them).
     */
    static List<String> forwardedFor(List<String> forwarded) {
        List<String> hops = new ArrayList<>();
        for (String header : forwarded) {
            for (String element : header.split(",")) {
                for (String pair : element.split(";")) {
                    String p = pair.strip();
                    if (p.regionMatches(true, 0, "for=", 0, 4)) {
                        String node = p.substring(4).strip();
                        if (node.length() >= 2 && node.startsWith("\"") && node.endsWith("\"")) {
                            node = node.substring(1, node.length() - 1);
                        }
                        hops.add(node.isEmpty() ? "unknown" : node);
                    }
                }
            }
        }
        return hops;
    }

    private static InetAddress literal(String hop) {
        String h = hop;
        if (h.startsWith("[") && h.contains("]")) {
            h = h.substring(1, h.indexOf(']'));
        } else if (h.indexOf(':') > 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':')); // IPv4 with port
        }
        if (!IP_LITERAL.matcher(h).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
