package dev.tinify.runtime.pointcloud;

import dev.tinify.runtime.container.AtomicFiles;
import dev.tinify.runtime.model.MemoryBudget;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes PLY point clouds, ASCII and binary little-endian: the {@code vertex} element's
 * {@code x, y, z} and, when present, {@code red, green, blue} (uchar 0–255, or float in [0, 1])
 * and {@code nx, ny, nz}. Other vertex properties and other elements (faces, ...) are read past
 * and checked, not kept.
 *
 * <p>A malformed file is refused with one line naming the file and, for ASCII, the line: a
 * missing or unknown header entry, a count the data does not match (too few or too many values
 * or bytes), a number that does not parse, a coordinate, colour or normal that is not finite.
 * The declared counts are checked against the file's lines or bytes before anything is allocated
 * for them, the points against {@link PointCloud#MAX_POINTS} and the memory budget, and memory
 * grows with the rows read.
 */
public final class PlyFiles {
    private static final int MAX_HEADER = 1 << 16;
    /** Points allocated before the first row is read; doubled as rows arrive. */
    static final int FIRST_CAPACITY = 1 << 16;

    private PlyFiles() {}

    /** The two encodings Tinify writes. */
    public enum Encoding { ASCII, BINARY_LITTLE_ENDIAN }

    private enum Type {
        INT8(1), UINT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), FLOAT32(4), FLOAT64(8);

        final int bytes;

        Type(int bytes) {
            this.bytes = bytes;
        }

        static Type of(String name) {
            return switch (name) {
                case "char", "int8" -> INT8;
                case "uchar", "uint8" -> UINT8;
                case "short", "int16" -> INT16;
                case "ushort", "uint16" -> UINT16;
                case "int", "int32" -> INT32;
                case "uint", "uint32" -> UINT32;
                case "float", "float32" -> FLOAT32;
                case "double", "float64" -> FLOAT64;
                default -> null;
            };
        }
    }

    /** A property; {@code countType} is non-null for a list property. */
    private record Property(String name, Type type, Type countType) {}

    private record Element(String name, long count, List<Property> properties) {
        int fixedSize() {
            int s = 0;
            for (Property p : properties) {
                if (p.countType() != null) {
                    return -1;
                }
                s += p.type().bytes;
            }
            return s;
        }

        int index(String property) {
            for (int i = 0; i < properties.size(); i++) {
                if (properties.get(i).name().equals(property) && properties.get(i).countType() == null) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** Reads a PLY file; errors name the file. */
    public static PointCloud read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            return decode(bytes);
        } catch (PointCloudFormatException e) {
            throw new PointCloudFormatException(file + ": " + e.getMessage());
        }
    }

    /** Decodes PLY bytes. */
    public static PointCloud decode(byte[] bytes) throws PointCloudFormatException {
        int end = headerEnd(bytes);
        String[] lines = new String(bytes, 0, end, StandardCharsets.US_ASCII).split("\n", -1);
        if (!lines[0].strip().equals("ply")) {
            throw new PointCloudFormatException("line 1: expected 'ply', found '" + shorten(lines[0]) + "'");
        }
        String format = null;
        List<Element> elements = new ArrayList<>();
        for (int i = 1; i < lines.length - 2; i++) {
            String[] t = lines[i].strip().split("\\s+");
            String where = "line " + (i + 1) + ": ";
            switch (t[0]) {
                case "format" -> {
                    if (t.length != 3 || !t[2].equals("1.0")) {
                        throw new PointCloudFormatException(where + "expected 'format ascii|binary_little_endian 1.0'");
                    }
                    format = t[1];
                }
                case "comment", "obj_info", "" -> { }
                case "element" -> {
                    long count = t.length == 3 ? parseCount(t[2]) : -1;
                    if (count < 0) {
                        throw new PointCloudFormatException(where + "expected 'element NAME COUNT' with a count >= 0");
                    }
                    elements.add(new Element(t[1], count, new ArrayList<>()));
                }
                case "property" -> {
                    if (elements.isEmpty()) {
                        throw new PointCloudFormatException(where + "property before any element");
                    }
                    elements.get(elements.size() - 1).properties().add(property(t, where));
                }
                default -> throw new PointCloudFormatException(where + "unknown header entry '" + shorten(t[0])
                        + "' (expected format, comment, element, property or end_header)");
            }
        }
        if (format == null) {
            throw new PointCloudFormatException("the header has no 'format' line");
        }
        Element vertex = null;
        for (Element e : elements) {
            if (e.name().equals("vertex")) {
                vertex = e;
            }
        }
        if (vertex == null || vertex.index("x") < 0 || vertex.index("y") < 0 || vertex.index("z") < 0) {
            throw new PointCloudFormatException("the header declares no 'vertex' element with properties x, y and z");
        }
        if (vertex.count() > PointCloud.MAX_POINTS) {
            throw new PointCloudFormatException("the header declares " + vertex.count() + " vertices, more than the " + PointCloud.MAX_POINTS
                    + " a cloud may have");
        }
        Body body = switch (format) {
            case "ascii" -> new AsciiBody(bytes, end, lines.length - 1);
            case "binary_little_endian" -> new BinaryBody(bytes, end);
            case "binary_big_endian" -> throw new PointCloudFormatException("big-endian PLY is not supported (expected ascii or binary_little_endian)");
            default -> throw new PointCloudFormatException("line 2: unknown format '" + shorten(format) + "' (expected ascii or binary_little_endian)");
        };
        PointCloud cloud = null;
        for (Element e : elements) {
            if (e.properties().isEmpty()) {
                throw new PointCloudFormatException("element '" + shorten(e.name()) + "' has no properties");
            }
            body.require(e);
            if (e == vertex) {
                // Positions, colours and normals as float32, once the file is known to hold that many rows.
                MemoryBudget.check("reading " + e.count() + " points", 36 * e.count(), "their positions, colours and normals",
                        "use a smaller cloud");
                cloud = readVertices(body, e);
            } else {
                for (long k = 0; k < e.count(); k++) {
                    body.skipRow(e, k);
                }
            }
        }
        body.finish();
        return cloud;
    }

    private static PointCloud readVertices(Body body, Element e) throws PointCloudFormatException {
        int n = (int) e.count();
        int[] xyzAt = {e.index("x"), e.index("y"), e.index("z")};
        int[] rgbAt = {e.index("red"), e.index("green"), e.index("blue")};
        int[] normalAt = {e.index("nx"), e.index("ny"), e.index("nz")};
        boolean colors = rgbAt[0] >= 0 && rgbAt[1] >= 0 && rgbAt[2] >= 0;
        boolean normals = normalAt[0] >= 0 && normalAt[1] >= 0 && normalAt[2] >= 0;
        // Grown as rows are read, so that memory follows the data read, not the count declared.
        int capacity = Math.min(n, FIRST_CAPACITY);
        float[] xyz = new float[3 * capacity];
        float[] rgb = colors ? new float[3 * capacity] : null;
        float[] nrm = normals ? new float[3 * capacity] : null;
        for (int i = 0; i < n; i++) {
            if (i == capacity) {
                capacity = (int) Math.min(n, 2L * capacity);
                xyz = Arrays.copyOf(xyz, 3 * capacity);
                rgb = rgb == null ? null : Arrays.copyOf(rgb, 3 * capacity);
                nrm = nrm == null ? null : Arrays.copyOf(nrm, 3 * capacity);
            }
            double[] row = body.row(e, i);
            for (int a = 0; a < 3; a++) {
                xyz[3 * i + a] = (float) row[xyzAt[a]];
                if (!Float.isFinite(xyz[3 * i + a])) {
                    throw new PointCloudFormatException(body.where() + "vertex " + i + " has a non-finite coordinate");
                }
                if (rgb != null) {
                    Type t = e.properties().get(rgbAt[a]).type();
                    double v = row[rgbAt[a]];
                    rgb[3 * i + a] = (float) (t == Type.FLOAT32 || t == Type.FLOAT64 ? v : v / 255.0);
                    if (!Float.isFinite(rgb[3 * i + a])) {
                        throw new PointCloudFormatException(body.where() + "vertex " + i + " has a non-finite colour");
                    }
                }
                if (nrm != null) {
                    nrm[3 * i + a] = (float) row[normalAt[a]];
                    if (!Float.isFinite(nrm[3 * i + a])) {
                        throw new PointCloudFormatException(body.where() + "vertex " + i + " has a non-finite normal");
                    }
                }
            }
        }
        return new PointCloud(xyz, rgb, nrm);
    }

    private static Property property(String[] t, String where) throws PointCloudFormatException {
        if (t.length == 5 && t[1].equals("list")) {
            Type count = Type.of(t[2]);
            Type item = Type.of(t[3]);
            if (count == null || item == null || count == Type.FLOAT32 || count == Type.FLOAT64) {
                throw new PointCloudFormatException(where + "expected 'property list COUNT_TYPE ITEM_TYPE NAME' with an integer count type");
            }
            return new Property(t[4], item, count);
        }
        Type type = t.length == 3 ? Type.of(t[1]) : null;
        if (type == null) {
            throw new PointCloudFormatException(where + "expected 'property TYPE NAME' with TYPE one of char, uchar, short, ushort, int, uint, float, double");
        }
        return new Property(t[2], type, null);
    }

    private static long parseCount(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The offset just after the {@code end_header} line. */
    private static int headerEnd(byte[] b) throws PointCloudFormatException {
        if (b.length < 3 || b[0] != 'p' || b[1] != 'l' || b[2] != 'y') {
            throw new PointCloudFormatException("not a PLY file (expected 'ply' on the first line)");
        }
        byte[] marker = "end_header".getBytes(StandardCharsets.US_ASCII);
        int limit = Math.min(b.length, MAX_HEADER);
        for (int i = 0; i + marker.length <= limit; i++) {
            if ((i == 0 || b[i - 1] == '\n') && matches(b, i, marker)) {
                int j = i + marker.length;
                while (j < b.length && b[j] != '\n') {
                    if (b[j] != '\r' && b[j] != ' ') {
                        throw new PointCloudFormatException("unexpected text after end_header");
                    }
                    j++;
                }
                if (j >= b.length) {
                    throw new PointCloudFormatException("the file ends right after end_header, before any data");
                }
                return j + 1;
            }
        }
        throw new PointCloudFormatException("no 'end_header' line in the first " + limit + " bytes");
    }

    private static boolean matches(byte[] b, int at, byte[] m) {
        for (int k = 0; k < m.length; k++) {
            if (b[at + k] != m[k]) {
                return false;
            }
        }
        return true;
    }

    private static String shorten(String s) {
        return TextLines.shorten(s);
    }

    /** The element data after the header, read row by row. */
    private interface Body {
        /** Checks before allocating that the rest of the file can hold {@code e}'s rows. */
        void require(Element e) throws PointCloudFormatException;

        /** The next row's scalar properties as numbers (list properties read past, NaN in their slot). */
        double[] row(Element e, long index) throws PointCloudFormatException;

        default void skipRow(Element e, long index) throws PointCloudFormatException {
            row(e, index);
        }

        /** Refuses data after the last element. */
        void finish() throws PointCloudFormatException;

        /** "line N: " for ASCII, "" for binary. */
        String where();
    }

    private static final class AsciiBody implements Body {
        private final TextLines lines;

        AsciiBody(byte[] bytes, int start, int headerLines) {
            this.lines = new TextLines(bytes, start, headerLines);
        }

        @Override
        public void require(Element e) throws PointCloudFormatException {
            long rows = lines.dataLinesLeft(false);
            if (e.count() > rows) {
                throw new PointCloudFormatException("the header declares " + e.count() + " " + shorten(e.name()) + " rows, the file has "
                        + rows + " non-blank lines left");
            }
        }

        @Override
        public double[] row(Element e, long index) throws PointCloudFormatException {
            String line = lines.next();
            while (line != null && line.isBlank()) {
                line = lines.next();
            }
            if (line == null) {
                throw new PointCloudFormatException("the header declares " + e.count() + " " + shorten(e.name())
                        + " rows, the file ends after " + index);
            }
            String[] t = line.strip().split("\\s+");
            double[] out = new double[e.properties().size()];
            int k = 0;
            for (int p = 0; p < out.length; p++) {
                Property prop = e.properties().get(p);
                if (prop.countType() != null) {
                    double c = number(t, k++, e, index);
                    if (c < 0 || c != Math.rint(c) || c > t.length) {
                        throw new PointCloudFormatException(where() + shorten(e.name()) + " " + index + ": bad list length "
                                + shorten(t[k - 1]));
                    }
                    for (int j = 0; j < (int) c; j++) {
                        number(t, k++, e, index);
                    }
                    out[p] = Double.NaN;
                } else {
                    out[p] = number(t, k++, e, index);
                }
            }
            if (k != t.length) {
                throw new PointCloudFormatException(where() + shorten(e.name()) + " " + index + " has " + t.length
                        + " values, the header declares " + k);
            }
            return out;
        }

        private double number(String[] t, int k, Element e, long index) throws PointCloudFormatException {
            if (k >= t.length) {
                throw new PointCloudFormatException(where() + shorten(e.name()) + " " + index + " has " + t.length
                        + " values, the header declares more");
            }
            try {
                return Double.parseDouble(t[k]);
            } catch (NumberFormatException ex) {
                throw new PointCloudFormatException(where() + "'" + shorten(t[k]) + "' is not a number");
            }
        }

        @Override
        public void finish() throws PointCloudFormatException {
            for (String line = lines.next(); line != null; line = lines.next()) {
                if (!line.isBlank()) {
                    throw new PointCloudFormatException(where() + "data after the last element the header declares");
                }
            }
        }

        @Override
        public String where() {
            return "line " + lines.number() + ": ";
        }
    }

    private static final class BinaryBody implements Body {
        private final ByteBuffer buf;

        BinaryBody(byte[] bytes, int start) {
            this.buf = ByteBuffer.wrap(bytes, start, bytes.length - start).order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void require(Element e) throws PointCloudFormatException {
            int size = e.fixedSize();
            if (e.count() > buf.remaining()) {
                throw new PointCloudFormatException("the header declares " + e.count() + " " + shorten(e.name()) + " rows, the file holds "
                        + buf.remaining() + " bytes after the header");
            }
            long need = e.count() * (size < 0 ? 1 : size);
            if (need > buf.remaining()) {
                throw new PointCloudFormatException("the header declares " + e.count() + " " + shorten(e.name()) + " rows ("
                        + (size < 0 ? "at least " : "") + need + " bytes), the file holds " + buf.remaining() + " bytes after the header");
            }
        }

        @Override
        public double[] row(Element e, long index) throws PointCloudFormatException {
            double[] out = new double[e.properties().size()];
            for (int p = 0; p < out.length; p++) {
                Property prop = e.properties().get(p);
                if (prop.countType() != null) {
                    long c = (long) value(prop.countType(), e, index);
                    if (c < 0 || c * prop.type().bytes > buf.remaining()) {
                        throw new PointCloudFormatException(shorten(e.name()) + " " + index + ": list of " + c + " items runs past the end of the file");
                    }
                    buf.position(buf.position() + (int) c * prop.type().bytes);
                    out[p] = Double.NaN;
                } else {
                    out[p] = value(prop.type(), e, index);
                }
            }
            return out;
        }

        private double value(Type t, Element e, long index) throws PointCloudFormatException {
            if (buf.remaining() < t.bytes) {
                throw new PointCloudFormatException("the file ends inside " + shorten(e.name()) + " " + index + " (the header declares " + e.count() + ")");
            }
            return switch (t) {
                case INT8 -> buf.get();
                case UINT8 -> buf.get() & 0xff;
                case INT16 -> buf.getShort();
                case UINT16 -> buf.getShort() & 0xffff;
                case INT32 -> buf.getInt();
                case UINT32 -> buf.getInt() & 0xffffffffL;
                case FLOAT32 -> buf.getFloat();
                case FLOAT64 -> buf.getDouble();
            };
        }

        @Override
        public void finish() throws PointCloudFormatException {
            if (buf.hasRemaining()) {
                throw new PointCloudFormatException(buf.remaining() + " bytes after the last element the header declares");
            }
        }

        @Override
        public String where() {
            return "";
        }
    }

    /** Writes {@code cloud} as PLY (float positions and normals, uchar colours), atomically. */
    public static void write(Path file, PointCloud cloud, Encoding encoding) throws IOException {
        AtomicFiles.write(file, encode(cloud, encoding));
    }

    /** Encodes {@code cloud} as PLY bytes. */
    public static byte[] encode(PointCloud cloud, Encoding encoding) {
        int n = cloud.size();
        float[] rgb = cloud.colors();
        float[] nrm = cloud.normals();
        StringBuilder h = new StringBuilder("ply\nformat ")
                .append(encoding == Encoding.ASCII ? "ascii" : "binary_little_endian").append(" 1.0\n")
                .append("element vertex ").append(n).append('\n')
                .append("property float x\nproperty float y\nproperty float z\n");
        if (nrm != null) {
            h.append("property float nx\nproperty float ny\nproperty float nz\n");
        }
        if (rgb != null) {
            h.append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
        }
        h.append("end_header\n");
        byte[] header = h.toString().getBytes(StandardCharsets.US_ASCII);
        if (encoding == Encoding.ASCII) {
            StringBuilder s = new StringBuilder(h);
            for (int i = 0; i < n; i++) {
                appendTriple(s, cloud.xyz(), i);
                if (nrm != null) {
                    s.append(' ');
                    appendTriple(s, nrm, i);
                }
                if (rgb != null) {
                    s.append(String.format(Locale.ROOT, " %d %d %d", byteColor(rgb[3 * i]), byteColor(rgb[3 * i + 1]), byteColor(rgb[3 * i + 2])));
                }
                s.append('\n');
            }
            return s.toString().getBytes(StandardCharsets.US_ASCII);
        }
        int row = 12 + (nrm != null ? 12 : 0) + (rgb != null ? 3 : 0);
        ByteBuffer b = ByteBuffer.allocate(header.length + n * row).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                b.putFloat(cloud.xyz()[3 * i + a]);
            }
            if (nrm != null) {
                for (int a = 0; a < 3; a++) {
                    b.putFloat(nrm[3 * i + a]);
                }
            }
            if (rgb != null) {
                for (int a = 0; a < 3; a++) {
                    b.put((byte) byteColor(rgb[3 * i + a]));
                }
            }
        }
        return b.array();
    }

    private static void appendTriple(StringBuilder s, float[] v, int i) {
        // Float.toString is the shortest text that reads back to the same float.
        s.append(v[3 * i]).append(' ').append(v[3 * i + 1]).append(' ').append(v[3 * i + 2]);
    }

    private static int byteColor(float c) {
        return (int) Math.max(0, Math.min(255, Math.rint(c * 255.0)));
    }
}
