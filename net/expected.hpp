// net::Expected<T>: a decoded value, or the protocol error (the wire's ErrorMessage) to
// answer it with. The class and its contract are ot/basic_expected.hpp.
#pragma once

#include "net/messages.hpp"
#include "ot/basic_expected.hpp"

namespace otter::net {

template <class T>
using Expected = ot::BasicExpected<T, ErrorMessage>;

}  // namespace otter::net
