/**
 * The compressed video file: a {@code .tfy} video ({@link dev.tinify.runtime.video.stream.VideoHeader},
 * {@link dev.tinify.runtime.video.stream.FrameRecord}), written and read one frame at a time
 * ({@link dev.tinify.runtime.video.stream.VideoFileWriter},
 * {@link dev.tinify.runtime.video.stream.VideoFileReader}), with a keyframe index at the end.
 */
@NullMarked
package dev.tinify.runtime.video.stream;

import org.jspecify.annotations.NullMarked;
