// storage::Expected<T>: a value or a storage::Error, the storage layer's own error
// vocabulary. The class and its contract are ot/basic_expected.hpp; Expected<void> holds
// nothing or an Error (build the success value with Expected<void>{}).
// (GCC 12: the class reads its variant with std::get, not *std::get_if, after the index
// check, because -Wnull-dereference cannot see through get_if at -O2/-O3 and would break
// -Werror builds. Keep it so if you change ot/basic_expected.hpp.)
#pragma once

#include "ot/basic_expected.hpp"
#include "storage/error.hpp"

namespace otter::storage {

template <class T>
using Expected = ot::BasicExpected<T, Error>;

}  // namespace otter::storage
