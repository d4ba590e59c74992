/**
 * Video files: YUV4MPEG2 ({@code .y4m}, 8-bit 4:2:0 and 4:4:4) and folders of numbered PNG frames,
 * read and written one frame at a time ({@link dev.tinify.runtime.video.files.FrameReader},
 * {@link dev.tinify.runtime.video.files.FrameWriter}), with the YCbCr ↔ RGB conversion stated by a
 * {@link dev.tinify.runtime.video.files.ColorSpace} (CompressAI's video evaluation: BT.709, full
 * range, bicubic chroma upsampling, 2×2 mean downsampling).
 */
@NullMarked
package dev.tinify.runtime.video.files;

import org.jspecify.annotations.NullMarked;
