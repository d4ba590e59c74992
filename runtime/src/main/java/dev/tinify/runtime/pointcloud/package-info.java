/**
 * Point clouds: the neighbourhood operations of the point-cloud models (farthest point sampling,
 * k nearest neighbours, ball query), PLY and OFF files, and the distortion measures (Chamfer, D1
 * and D2 PSNR).
 */
@NullMarked
package dev.tinify.runtime.pointcloud;

import org.jspecify.annotations.NullMarked;
