/**
 * Point clouds: the neighbourhood operations of the point-cloud models (farthest point sampling,
 * k nearest neighbours, ball query).
 */
@NullMarked
package dev.tinify.runtime.pointcloud;

import org.jspecify.annotations.NullMarked;
