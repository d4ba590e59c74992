package dev.tinify.check;

import dev.tinify.runtime.model.CompressionModel;
import dev.tinify.runtime.reference.ReferenceCase;

/** A check of a model case against an already built model with the case's weights loaded. */
@FunctionalInterface
public interface ModelCheck {
    void run(ReferenceCase reference, CompressionModel model, CaseReport report) throws Exception;
}
