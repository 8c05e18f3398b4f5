// Prints a Boost.JSON value indented, one member per line, so a person can read the
// benchmark's output and a script can still parse it.
#pragma once

#include <boost/json/value.hpp>
#include <ostream>

namespace otter::bench {

void print_pretty(std::ostream& out, const boost::json::value& value, int indent = 0);

}  // namespace otter::bench
