// ot::Expected<T>: a value or an ot::Error — the OT engine's errors as values on its hot
// path (no exceptions for bad input). The class and its contract are ot/basic_expected.hpp;
// Expected<void> holds nothing or an Error (build the success value with Expected<void>{}).
#pragma once

#include "ot/basic_expected.hpp"
#include "ot/error.hpp"

namespace otter::ot {

template <class T>
using Expected = BasicExpected<T, Error>;

}  // namespace otter::ot
