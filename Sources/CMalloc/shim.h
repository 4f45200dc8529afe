// glibc's allocator controls (mallopt), which Swift's Glibc module does not import; used by VUMAggregator's
// AllocatorTuning.swift only.
#pragma once
#include <malloc.h>
