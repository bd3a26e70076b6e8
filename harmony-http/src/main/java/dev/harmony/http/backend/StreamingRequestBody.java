package dev.harmony.http.backend;

import dev.harmony.message.Body;
import java.io.IOException;
import java.io.InputStream;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import okio.BufferedSink;

/** A request body that copies the incoming stream to the upstream as it arrives; sent at most once. */
final class StreamingRequestBody extends RequestBody {
    private final Body body;
    private final MediaType type;

    StreamingRequestBody(Body body) {
        this.body = body;
        this.type = body.contentType().map(MediaType::parse).orElse(null);
    }

    @Override
    public MediaType contentType() {
        return type;
    }

    @Override
    public long contentLength() {
        return body.length();
    }

    @Override
    public boolean isOneShot() {
        return !body.isRepeatable(); // a stream cannot be replayed on a retry
    }

    /** Copies as data arrives, flushing whenever the client pauses so nothing waits in a buffer. */
    @Override
    public void writeTo(BufferedSink sink) throws IOException {
        try (InputStream in = body.stream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) {
                sink.write(buffer, 0, n);
                if (in.available() <= 0) {
                    sink.flush();
                }
            }
        }
    }
}
