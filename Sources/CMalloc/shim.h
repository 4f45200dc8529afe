// glibc's allocator controls (mallopt), which Swift's Glibc module does not import; used by vum-aggregator
// (AllocatorTuning.swift) only.
#pragma once
#include <malloc.h>
