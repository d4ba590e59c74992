package dev.tinify.runtime.pointcloud;

import java.nio.charset.StandardCharsets;

/**
 * The lines of a text file's bytes (ASCII PLY data, OFF), read one at a time: a file of a
 * billion short lines costs one small string at a time, not a billion strings at once. Also how
 * the file's own text appears in a message: shortened, control characters shown as {@code ?}.
 */
final class TextLines {
    private static final int SHOWN_CHARS = 40;

    private final byte[] bytes;
    private int pos;
    private int number;

    /** Lines from {@code start}; the first one read is line {@code linesBefore + 1}. */
    TextLines(byte[] bytes, int start, int linesBefore) {
        this.bytes = bytes;
        this.pos = start;
        this.number = linesBefore;
    }

    /** The next line without its {@code \n}, or null after the last one. */
    String next() {
        if (pos >= bytes.length) {
            return null;
        }
        int end = pos;
        while (end < bytes.length && bytes[end] != '\n') {
            end++;
        }
        String line = new String(bytes, pos, end - pos, StandardCharsets.US_ASCII);
        pos = end + 1;
        number++;
        return line;
    }

    /** The 1-based number of the line {@link #next} returned last. */
    int number() {
        return number;
    }

    /**
     * How many of the lines left hold data: anything but blanks, and with {@code hashComments}
     * anything before a {@code #}. A count a header declares is checked against it before
     * anything is allocated for it.
     */
    long dataLinesLeft(boolean hashComments) {
        long count = 0;
        boolean data = false;
        boolean comment = false;
        for (int i = pos; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                count += data ? 1 : 0;
                data = false;
                comment = false;
            } else if (hashComments && b == '#') {
                comment = true;
            } else if (!comment && !(b >= 0 && Character.isWhitespace(b))) {
                data = true;
            }
        }
        return count + (data ? 1 : 0);
    }

    /** A piece of the file's text as a message shows it: stripped, at most 40 characters, control characters as {@code ?}. */
    static String shorten(String s) {
        String t = s.strip();
        StringBuilder sb = new StringBuilder();
        t.codePoints().limit(SHOWN_CHARS).forEach(cp -> sb.append(Character.isISOControl(cp) ? "?" : Character.toString(cp)));
        return t.length() > SHOWN_CHARS ? sb + "..." : sb.toString();
    }
}
