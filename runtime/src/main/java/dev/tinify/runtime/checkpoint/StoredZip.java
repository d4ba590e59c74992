package dev.tinify.runtime.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The entries of a zip archive held in memory, as {@code torch.save} writes it: every entry stored
 * (not compressed), so an entry is a slice of the file and nothing is ever inflated. The central
 * directory, each local header and each entry's bytes are checked against the file (ranges, names,
 * sizes, CRC-32); names with path tricks ({@code ..}, absolute, backslashes, control characters)
 * and duplicates are refused. ZIP64 records are followed.
 */
final class StoredZip {
    private static final int EOCD = 0x06054b50;
    private static final int EOCD64 = 0x06064b50;
    private static final int EOCD64_LOCATOR = 0x07064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;

    private final Map<String, ByteBuffer> entries;

    private StoredZip(Map<String, ByteBuffer> entries) {
        this.entries = entries;
    }

    /** Whether {@code data} starts like a zip archive. */
    static boolean sniff(byte[] data) {
        return data.length >= 4 && ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == LOCAL;
    }

    /** Entries by name, in central-directory order; each a read-only slice of {@code data}. */
    Map<String, ByteBuffer> entries() {
        return entries;
    }

    static StoredZip read(byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = findEocd(b);
        long count = b.getShort(eocd + 10) & 0xffff;
        long cdSize = b.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = b.getInt(eocd + 16) & 0xffffffffL;
        int disk = b.getShort(eocd + 4) & 0xffff;
        int cdDisk = b.getShort(eocd + 6) & 0xffff;
        if ((disk != 0 && disk != 0xffff) || (cdDisk != 0 && cdDisk != 0xffff)) {
            throw new IOException("zip: multi-disk archives are not supported");
        }
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            int locator = eocd - 20;
            if (locator < 0 || b.getInt(locator) != EOCD64_LOCATOR) {
                throw new IOException("zip: ZIP64 sizes without a ZIP64 end record locator");
            }
            long at = b.getLong(locator + 8);
            if (at < 0 || at > data.length - 56 || b.getInt((int) at) != EOCD64) {
                throw new IOException("zip: ZIP64 end record offset " + at + " is outside the file");
            }
            count = b.getLong((int) at + 32);
            cdSize = b.getLong((int) at + 40);
            cdOffset = b.getLong((int) at + 48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > data.length || cdSize > data.length - cdOffset) {
            throw new IOException("zip: central directory [" + cdOffset + ", +" + cdSize + ") lies outside the " + data.length + "-byte file");
        }
        if (count < 0 || count > cdSize / 46) {
            throw new IOException("zip: " + count + " entries cannot fit a central directory of " + cdSize + " bytes");
        }
        Map<String, ByteBuffer> entries = new LinkedHashMap<>();
        int p = (int) cdOffset;
        int cdEnd = (int) (cdOffset + cdSize);
        for (long i = 0; i < count; i++) {
            if (p > cdEnd - 46 || b.getInt(p) != CENTRAL) {
                throw new IOException("zip: central directory entry " + i + " is damaged");
            }
            int flags = b.getShort(p + 8) & 0xffff;
            int method = b.getShort(p + 10) & 0xffff;
            int crc = b.getInt(p + 16);
            long csize = b.getInt(p + 20) & 0xffffffffL;
            long usize = b.getInt(p + 24) & 0xffffffffL;
            int nameLen = b.getShort(p + 28) & 0xffff;
            int extraLen = b.getShort(p + 30) & 0xffff;
            int commentLen = b.getShort(p + 32) & 0xffff;
            long local = b.getInt(p + 42) & 0xffffffffL;
            int next = p + 46 + nameLen + extraLen + commentLen;
            if (next > cdEnd || next < p) {
                throw new IOException("zip: central directory entry " + i + " runs past the directory");
            }
            String name = name(data, p + 46, nameLen);
            if (usize == 0xffffffffL || csize == 0xffffffffL || local == 0xffffffffL) {
                long[] z = zip64(b, p + 46 + nameLen, extraLen, usize == 0xffffffffL, csize == 0xffffffffL, local == 0xffffffffL, name);
                usize = z[0];
                csize = z[1];
                local = z[2];
            }
            if (usize < 0 || csize < 0) {
                throw new IOException("zip: entry " + name + " declares a negative size");
            }
            if ((flags & 1) != 0) {
                throw new IOException("zip: entry " + name + " is encrypted");
            }
            if (method != 0 || csize != usize) {
                throw new IOException("zip: entry " + name + " is compressed (method " + method
                        + "); torch.save stores entries uncompressed");
            }
            if (local < 0 || local > data.length - 30 || b.getInt((int) local) != LOCAL) {
                throw new IOException("zip: entry " + name + " has no local header at offset " + local);
            }
            int lp = (int) local;
            int localName = b.getShort(lp + 26) & 0xffff;
            int localExtra = b.getShort(lp + 28) & 0xffff;
            long start = local + 30 + localName + localExtra;
            if (!name(data, lp + 30, Math.min(localName, data.length - lp - 30)).equals(name)) {
                throw new IOException("zip: entry " + name + ": local header names another file");
            }
            if (start > data.length || usize > data.length - start) {
                throw new IOException("zip: entry " + name + " (" + usize + " bytes at " + start + ") runs past the end of the "
                        + data.length + "-byte file");
            }
            ByteBuffer slice = ByteBuffer.wrap(data, (int) start, (int) usize).slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            CRC32 c = new CRC32();
            c.update(slice.duplicate());
            if ((int) c.getValue() != crc) {
                throw new IOException("zip: entry " + name + " is damaged (CRC-32 mismatch)");
            }
            if (entries.put(name, slice) != null) {
                throw new IOException("zip: entry " + name + " occurs twice");
            }
            p = next;
        }
        return new StoredZip(entries);
    }

    private static int findEocd(ByteBuffer b) throws IOException {
        int last = b.capacity() - 22;
        int first = Math.max(0, last - 0xffff);
        for (int i = last; i >= first; i--) {
            if (b.getInt(i) == EOCD && i + 22 + (b.getShort(i + 20) & 0xffff) == b.capacity()) {
                return i;
            }
        }
        throw new IOException("zip: no end-of-central-directory record (truncated archive?)");
    }

    /** Sizes and offset from an entry's ZIP64 extra field, in the order the format stores them. */
    private static long[] zip64(ByteBuffer b, int extra, int extraLen, boolean u, boolean c, boolean l, String name) throws IOException {
        int end = extra + extraLen;
        int p = extra;
        while (p + 4 <= end) {
            int id = b.getShort(p) & 0xffff;
            int size = b.getShort(p + 2) & 0xffff;
            if (p + 4 + size > end) {
                break;
            }
            if (id == 1) {
                long[] out = new long[3];
                int q = p + 4;
                boolean[] present = {u, c, l};
                for (int k = 0; k < 3; k++) {
                    if (present[k]) {
                        if (q + 8 > p + 4 + size) {
                            throw new IOException("zip: entry " + name + ": ZIP64 extra field too short");
                        }
                        out[k] = b.getLong(q);
                        q += 8;
                    }
                }
                return out;
            }
            p += 4 + size;
        }
        throw new IOException("zip: entry " + name + " lacks its ZIP64 extra field");
    }

    private static String name(byte[] data, int at, int len) throws IOException {
        String name = new String(data, at, len, StandardCharsets.UTF_8);
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":")) {
            throw new IOException("zip: entry name '" + printable(name) + "' is not a relative path");
        }
        for (String part : name.split("/", -1)) {
            if (part.equals("..") || part.equals(".")) {
                throw new IOException("zip: entry name '" + printable(name) + "' contains '" + part + "'");
            }
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20) {
                throw new IOException("zip: entry name '" + printable(name) + "' contains a control character");
            }
        }
        return name;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        s.codePoints().limit(80).forEach(cp -> sb.append(cp < 0x20 ? '?' : Character.toString(cp)));
        return sb.toString();
    }
}
