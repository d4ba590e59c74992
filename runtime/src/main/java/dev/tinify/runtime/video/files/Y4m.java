package dev.tinify.runtime.video.files;

import dev.tinify.runtime.container.AtomicOutput;
import dev.tinify.runtime.image.RgbImage;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * YUV4MPEG2 ({@code .y4m}): a text header line ({@code YUV4MPEG2 W<w> H<h> F<n>:<d> ...}), then
 * per frame a {@code FRAME} line and the raw Y, Cb and Cr planes. Only 8-bit progressive 4:2:0
 * ({@code C420jpeg}, {@code C420paldv}, {@code C420mpeg2}, {@code C420}, or no C tag) and 4:4:4
 * ({@code C444}) are accepted; the 4:2:0 chroma siting variants are read alike. Anything else
 * (other bit depths, mono, interlaced, a missing size or frame rate, a truncated frame) is an
 * {@link IOException} of one line naming the file.
 */
public final class Y4m {
    private static final String MAGIC = "YUV4MPEG2";
    /** Longest header or frame line accepted, so that a file without newlines is not read into memory. */
    private static final int MAX_LINE = 4096;

    private Y4m() {}

    /** Opens {@code file} for reading frame by frame. */
    public static FrameReader open(Path file, ColorSpace colorSpace) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            String header = line(file, in, "header");
            VideoFormat format = parseHeader(file, header);
            // Frames of the usual "FRAME\n" line: exact unless frame lines carry parameters.
            long frameBytes = "FRAME\n".length() + format.chroma().frameSamples(format.width(), format.height());
            long expected = (Files.size(file) - header.length() - 1) / frameBytes;
            return new Reader(file, in, format, colorSpace, expected);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Opens {@code file} for reading its frames as stored (YCbCr planes, no colour conversion). */
    public static YuvReader openYuv(Path file) throws IOException {
        Reader r = (Reader) open(file, ColorSpace.COMPRESSAI);
        return new YuvReader() {
            @Override
            public VideoFormat format() {
                return r.format();
            }

            @Override
            public @Nullable YuvFrame next() throws IOException {
                return r.nextYuv();
            }

            @Override
            public void close() throws IOException {
                r.close();
            }
        };
    }

    /** Creates a writer to {@code file} (published on {@link FrameWriter#finish()}). */
    public static FrameWriter create(Path file, VideoFormat format, ColorSpace colorSpace) throws IOException {
        return new Writer(file, format, colorSpace);
    }

    /** The header line for {@code format}. */
    static String header(VideoFormat f) {
        return MAGIC + " W" + f.width() + " H" + f.height() + " F" + f.fpsNum() + ":" + f.fpsDen() + " Ip A1:1 C" + f.chroma().y4mTag();
    }

    static VideoFormat parseHeader(Path file, String line) throws IOException {
        String[] tokens = line.split(" ");
        if (!tokens[0].equals(MAGIC)) {
            throw bad(file, "not a YUV4MPEG2 file (the header must start with 'YUV4MPEG2 ')");
        }
        int w = -1;
        int h = -1;
        int num = -1;
        int den = -1;
        Chroma chroma = Chroma.C420;
        for (int i = 1; i < tokens.length; i++) {
            String t = tokens[i];
            if (t.isEmpty()) {
                continue;
            }
            String v = t.substring(1);
            switch (t.charAt(0)) {
                case 'W' -> w = positive(file, "width", v);
                case 'H' -> h = positive(file, "height", v);
                case 'F' -> {
                    String[] nd = v.split(":", -1);
                    if (nd.length != 2) {
                        throw bad(file, "frame rate '" + t + "' is not F<num>:<den>");
                    }
                    num = positive(file, "frame rate numerator", nd[0]);
                    den = positive(file, "frame rate denominator", nd[1]);
                }
                case 'I' -> {
                    if (!v.equals("p") && !v.equals("?")) {
                        throw bad(file, "interlaced video (I" + v + ") is not supported; expected progressive (Ip)");
                    }
                }
                case 'C' -> chroma = switch (v) {
                    case "420jpeg", "420paldv", "420mpeg2", "420" -> Chroma.C420;
                    case "444" -> Chroma.C444;
                    default -> throw bad(file, "colour space C" + v + " is not supported; expected 8-bit C420jpeg, C420paldv, C420mpeg2, C420 or C444");
                };
                case 'A', 'X' -> { }
                default -> throw bad(file, "unknown header tag '" + t + "'");
            }
        }
        if (w < 0 || h < 0) {
            throw bad(file, "the header has no " + (w < 0 ? "width (W)" : "height (H)"));
        }
        if (num < 0) {
            throw bad(file, "the header has no frame rate (F<num>:<den>)");
        }
        try {
            return new VideoFormat(w, h, num, den, chroma);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
    }

    private static int positive(Path file, String what, String v) throws IOException {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw bad(file, what + " '" + v + "' is not a positive integer");
    }

    /** A line up to '\n' (not included); null at a clean end of file when {@code what} is a frame. */
    private static @Nullable String lineOrEnd(Path file, InputStream in, String what) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                if (buf.size() == 0) {
                    return null;
                }
                throw bad(file, what + " line is cut short by the end of the file");
            }
            if (buf.size() >= MAX_LINE) {
                throw bad(file, what + " line is longer than " + MAX_LINE + " bytes");
            }
            buf.write(b);
        }
        return buf.toString(StandardCharsets.US_ASCII);
    }

    private static String line(Path file, InputStream in, String what) throws IOException {
        String l = lineOrEnd(file, in, what);
        if (l == null) {
            throw bad(file, "empty file (no YUV4MPEG2 header)");
        }
        return l;
    }

    private static IOException bad(Path file, String problem) {
        return new IOException(file + ": " + problem);
    }

    private static final class Reader implements FrameReader {
        private final Path file;
        private final InputStream in;
        private final VideoFormat format;
        private final ColorSpace colorSpace;
        private final long expectedFrames;
        private int frames;

        Reader(Path file, InputStream in, VideoFormat format, ColorSpace colorSpace, long expectedFrames) {
            this.file = file;
            this.in = in;
            this.format = format;
            this.colorSpace = colorSpace;
            this.expectedFrames = expectedFrames;
        }

        @Override
        public VideoFormat format() {
            return format;
        }

        @Override
        public @Nullable RgbImage next() throws IOException {
            YuvFrame f = nextYuv();
            return f == null ? null : f.toRgb(colorSpace);
        }

        @Override
        public long expectedFrames() {
            return expectedFrames;
        }

        @Nullable YuvFrame nextYuv() throws IOException {
            String frameLine = lineOrEnd(file, in, "frame " + frames);
            if (frameLine == null) {
                return null;
            }
            if (!frameLine.equals("FRAME") && !frameLine.startsWith("FRAME ")) {
                throw bad(file, "frame " + frames + " does not start with FRAME");
            }
            int w = format.width();
            int h = format.height();
            Chroma c = format.chroma();
            int chromaSamples = c.chromaSize(w) * c.chromaSize(h);
            byte[] y = read(w * h);
            byte[] u = read(chromaSamples);
            byte[] v = read(chromaSamples);
            frames++;
            return new YuvFrame(w, h, c, y, u, v);
        }

        private byte[] read(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw bad(file, "frame " + frames + " is truncated (the file ends inside its samples)");
            }
            return b;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static final class Writer implements FrameWriter {
        private final AtomicOutput file;
        private final VideoFormat format;
        private final ColorSpace colorSpace;

        Writer(Path target, VideoFormat format, ColorSpace colorSpace) throws IOException {
            this.format = format;
            this.colorSpace = colorSpace;
            this.file = AtomicOutput.open(target);
            try {
                file.stream().write((header(format) + "\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                file.close();
                throw e;
            }
        }

        @Override
        public void write(RgbImage frame) throws IOException {
            if (frame.width() != format.width() || frame.height() != format.height()) {
                throw new IllegalArgumentException(file.target() + ": frame " + frame.width() + "x" + frame.height()
                        + " in a " + format.width() + "x" + format.height() + " clip");
            }
            YuvFrame f = YuvFrame.fromRgb(frame, format.chroma(), colorSpace);
            OutputStream out = file.stream();
            out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
            out.write(f.y());
            out.write(f.u());
            out.write(f.v());
        }

        @Override
        public void finish() throws IOException {
            file.publish();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
