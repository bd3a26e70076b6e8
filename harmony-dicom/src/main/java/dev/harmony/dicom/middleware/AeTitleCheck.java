package dev.harmony.dicom.middleware;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomRejections;
import dev.harmony.message.Attribute;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Admits only known peers: the called AE title must be ours and the calling AE title must be on an
 * allow-list, optionally pinned to the addresses of a host. It checks every exchange, so on the
 * {@code A-ASSOCIATE} exchange a stranger is refused with A-ASSOCIATE-RJ (calling AE not recognized,
 * reason 3; called AE not recognized, reason 7) before any data flows.
 *
 * <pre>{@code
 * AeTitleCheck.allow("CT1", "MR1").pin("CT1", "10.0.0.5").build()
 * }</pre>
 *
 * <p>On success it sets {@link Attribute#PRINCIPAL} to
 * the calling AE title.
 */
public final class AeTitleCheck implements Middleware {
    private final Set<String> allowed;
    private final String calledAe;
    private final Map<String, Set<InetAddress>> pins;
    private final Map<String, String> pinnedHosts;

    private AeTitleCheck(Set<String> allowed, String calledAe, Map<String, Set<InetAddress>> pins,
            Map<String, String> pinnedHosts) {
        this.allowed = allowed;
        this.calledAe = calledAe;
        this.pins = pins;
        this.pinnedHosts = pinnedHosts;
    }

    /** Admits only these calling AE titles. */
    public static Builder allow(String... callingAeTitles) {
        return allow(Arrays.asList(callingAeTitles));
    }

    /** Admits only these calling AE titles. */
    public static Builder allow(List<String> callingAeTitles) {
        if (callingAeTitles.isEmpty()) {
            throw new IllegalArgumentException("AeTitleCheck.allow: name at least one calling AE title");
        }
        Set<String> set = new LinkedHashSet<>();
        for (String ae : callingAeTitles) {
            set.add(AeTitles.require(ae, "AeTitleCheck.allow"));
        }
        return new Builder(java.util.Collections.unmodifiableSet(set));
    }

    /** Admits any calling AE title (the called AE title is still checked). */
    public static Builder anyCallingAe() {
        return new Builder(null);
    }

    /** Options of an {@link AeTitleCheck}; {@link #build()} makes the stage. */
    public static final class Builder {
        private final Set<String> allowed;
        private String calledAe;
        private final Map<String, Set<InetAddress>> pins = new LinkedHashMap<>();
        private final Map<String, String> pinnedHosts = new LinkedHashMap<>();

        private Builder(Set<String> allowed) {
            this.allowed = allowed;
        }

        /** The called AE title to require. Default: the listener's own AE title. */
        public Builder calledAe(String title) {
            this.calledAe = AeTitles.require(title, "AeTitleCheck.calledAe");
            return this;
        }

        /** Admits {@code callingAe} only from the addresses {@code host} resolves to (resolved now). */
        public Builder pin(String callingAe, String host) {
            String ae = AeTitles.require(callingAe, "AeTitleCheck.pin");
            if (allowed != null && !allowed.contains(ae)) {
                throw new IllegalArgumentException("AeTitleCheck.pin: '" + ae + "' is not on the allow-list " + allowed);
            }
            try {
                pins.put(ae, Set.of(InetAddress.getAllByName(host)));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("AeTitleCheck.pin: cannot resolve host '" + host + "' for " + ae);
            }
            pinnedHosts.put(ae, host);
            return this;
        }

        /** The check with these options. */
        public AeTitleCheck build() {
            return new AeTitleCheck(allowed, calledAe, Map.copyOf(pins), Map.copyOf(pinnedHosts));
        }
    }

    @Override
    public Response intercept(Chain chain) {
        Request request = chain.request();
        String calling = request.attribute(DicomAttributes.CALLING_AE).orElse(null);
        String called = request.attribute(DicomAttributes.CALLED_AE).orElse(null);
        if (calling == null || called == null) {
            return Response.rejected(Rejection.forbidden("AE title check: the request carries no AE titles"));
        }
        String expectedCalled = calledAe != null ? calledAe : request.attribute(DicomAttributes.LOCAL_AE).orElse(null);
        if (expectedCalled != null && !expectedCalled.equals(called)) {
            return Response.rejected(DicomRejections.calledAeNotRecognized(
                    "called AE title '" + called + "' is not this listener's ('" + expectedCalled + "')"));
        }
        if (allowed != null && !allowed.contains(calling)) {
            return Response.rejected(DicomRejections.callingAeNotRecognized(
                    "calling AE title '" + calling + "' is not on the allow-list"));
        }
        Set<InetAddress> pinned = pins.get(calling);
        if (pinned != null) {
            InetAddress peer = request.attribute(Attribute.REMOTE_ADDRESS).map(InetSocketAddress::getAddress).orElse(null);
            if (peer == null || !pinned.contains(peer)) {
                return Response.rejected(DicomRejections.callingAeNotRecognized("calling AE title '" + calling
                        + "' is only admitted from " + pinnedHosts.get(calling)));
            }
        }
        return chain.proceed(request.with(Attribute.PRINCIPAL, calling));
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        String callers = allowed == null ? "any calling AE" : "Calling AE: " + String.join(", ", allowed);
        String pinned = pinnedHosts.isEmpty() ? "" : " · pinned: " + pinnedHosts.entrySet().stream()
                .map(e -> e.getKey() + "@" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("");
        return new Description("AE Title Check", callers + pinned + (calledAe == null ? "" : " · called AE: " + calledAe));
    }
}
