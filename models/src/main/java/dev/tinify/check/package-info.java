/**
 * Checks against CompressAI reference cases ({@code tinify check}): a per-case plan of checks,
 * a report of every comparison, and the runner that prints the totals.
 */
@NullMarked
package dev.tinify.check;

import org.jspecify.annotations.NullMarked;
