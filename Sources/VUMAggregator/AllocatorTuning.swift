import Foundation

#if canImport(Glibc)
    import CMalloc
#endif

/// How the aggregator asks glibc's allocator to keep freed memory instead of returning it to the
/// kernel at once.
///
/// Every zoekvraag passes megabytes through the aggregator (100 matches per bron, about 1.4 KB each,
/// received, rewritten with vumIDs and sent). With glibc's defaults, blocks that large come from `mmap`
/// and go back with `munmap`, and the heap is trimmed whenever its free top exceeds a few megabytes, so
/// the next zoekvraag faults in fresh zeroed pages. Here blocks up to 32 MB come from the heap and the heap
/// keeps up to 128 MB free: at 20 bronnen that cut the aggregator's CPU per zoekvraag by a quarter
/// (Docs/benchmarks.md).
/// The cost is resident memory: what the busiest moment needed stays mapped.
///
/// An operator's own `GLIBC_TUNABLES` setting wins: then nothing is changed. `vum-aggregator` calls this at
/// start; a program that embeds the aggregator (the federation benchmark) may do the same.
public enum AllocatorTuning {
    public static func keepFreedMemory() {
        #if canImport(Glibc)
            guard ProcessInfo.processInfo.environment["GLIBC_TUNABLES"] == nil else { return }
            _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
            _ = mallopt(M_TRIM_THRESHOLD, 128 << 20)
        #endif
    }
}
