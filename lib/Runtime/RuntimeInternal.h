//===- RuntimeInternal.h - Shared by the runtime's sources ------*- C++ -*-===//
#ifndef SINTER_LIB_RUNTIME_RUNTIMEINTERNAL_H
#define SINTER_LIB_RUNTIME_RUNTIMEINTERNAL_H

#include <string>

namespace sinter {
/// Records `msg` as this thread's last error (sinter_rt_last_error).
void setError(std::string msg);
} // namespace sinter

#endif // SINTER_LIB_RUNTIME_RUNTIMEINTERNAL_H
