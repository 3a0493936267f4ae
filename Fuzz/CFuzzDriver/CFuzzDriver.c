// LLVMFuzzerRunDriver is libFuzzer's, linked in by -sanitize=fuzzer; this module only declares it.
#include "CFuzzDriver.h"
