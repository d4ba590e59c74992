package dev.tinify.runtime.pointcloud;

import java.io.IOException;

/** A point-cloud or mesh file (PLY, OFF) is malformed; the message says where and what was expected. */
public class PointCloudFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public PointCloudFormatException(String message) {
        super(message);
    }
}
