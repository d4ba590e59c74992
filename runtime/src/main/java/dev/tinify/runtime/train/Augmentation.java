package dev.tinify.runtime.train;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a training image patch may go through besides its random crop, each drawn per patch. Only
 * image patches take augmentations: video clips and point clouds are sampled as they are.
 */
public enum Augmentation {
    /** A horizontal and a vertical flip, each with probability 1/2. */
    FLIPS("flips"),
    /**
     * One of the six orders of the R, G, B planes, uniformly: a crop of green leaves is also shown
     * as magenta or blue ones, so that a training set of mostly landscapes still covers saturated
     * colours of every hue.
     */
    CHANNELS("channels");

    /** The augmentations of a run that names none: flips (the crops of earlier versions). */
    public static final Set<Augmentation> DEFAULT = Collections.unmodifiableSet(EnumSet.of(FLIPS));

    private final String id;

    Augmentation(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * The set named by {@code names}: ids of this enum, or the one name {@code none} (as an empty
     * list, which is how a checkpoint records it).
     *
     * @throws IllegalArgumentException naming the first unknown name and the known ones
     */
    public static Set<Augmentation> parse(Collection<String> names) {
        Set<Augmentation> out = EnumSet.noneOf(Augmentation.class);
        if (names.size() == 1 && names.iterator().next().trim().toLowerCase(Locale.ROOT).equals("none")) {
            return out;
        }
        for (String name : names) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            Augmentation found = null;
            for (Augmentation a : values()) {
                if (a.id.equals(n)) {
                    found = a;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("augmentation '" + name + "': expected " + ids(EnumSet.allOf(Augmentation.class))
                        + " or none");
            }
            out.add(found);
        }
        return out;
    }

    /** The ids of {@code set} in declaration order, as a checkpoint records them. */
    public static List<String> ids(Set<Augmentation> set) {
        List<String> out = new ArrayList<>();
        for (Augmentation a : values()) {
            if (set.contains(a)) {
                out.add(a.id);
            }
        }
        return out;
    }
}
