package io.xraydrift.ingest.service;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.io.Content;

/** The parts of a {@code multipart/related} body (STOW-RS), read with Jetty's multipart parser. */
final class MultipartRelated {

    private MultipartRelated() {}

    /** One part of a multipart/related body. */
    record Part(String type, byte[] bytes) {}

    static List<Part> parts(String boundary, byte[] body) {
        List<Part> parts = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        MultiPart.Parser parser = new MultiPart.Parser(boundary, new MultiPart.Parser.Listener() {
            private String type = "application/octet-stream";
            private ByteArrayOutputStream content = new ByteArrayOutputStream();

            @Override
            public void onPartBegin() {
                type = "application/octet-stream";
                content = new ByteArrayOutputStream();
            }

            @Override
            public void onPartHeader(String name, String value) {
                if ("content-type".equalsIgnoreCase(name) && value != null) {
                    type = value.trim().toLowerCase(Locale.ROOT);
                }
            }

            @Override
            public void onPartContent(Content.Chunk chunk) {
                ByteBuffer b = chunk.getByteBuffer().slice();
                byte[] a = new byte[b.remaining()];
                b.get(a);
                content.writeBytes(a);
                chunk.release();
            }

            @Override
            public void onPartEnd() {
                parts.add(new Part(type, content.toByteArray()));
            }

            @Override
            public void onFailure(Throwable t) {
                failure[0] = t;
            }
        });
        parser.parse(Content.Chunk.from(ByteBuffer.wrap(body), true));
        if (failure[0] != null) {
            throw new IllegalArgumentException(failure[0].getClass().getSimpleName());
        }
        return parts;
    }
}
