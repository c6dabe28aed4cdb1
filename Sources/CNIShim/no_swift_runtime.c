/* SwiftPM links every executable with swiftrt.o, whose image constructor registers the image
 * with the Swift runtime; that pulls libswiftCore (and libstdc++) into a program that has no
 * Swift code, and loading them is ~3 ms of each exec (measured: docs/benchmarks.md §5).
 * These definitions satisfy swiftrt.o locally, and `--as-needed` (Package.swift) then drops the
 * runtime libraries. Nothing in this program reads Swift metadata, so registering nothing is right. */
void swift_addNewDSOImage(const void *image) { (void)image; }
int _swift_backtrace_isThunkFunction(const char *mangledName) { (void)mangledName; return 0; }
