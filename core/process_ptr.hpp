#pragma once
// ProcessPtr: an owning, intrusively counted reference to a Process object.
// The process table holds one while the process lives; a scheduled run holds one so the
// object outlives its last handler. Code outside core/ names processes by Pid instead.
#include <boost/smart_ptr/intrusive_ptr.hpp>

namespace otter::core {
class Process;
void intrusive_ptr_add_ref(Process* process) noexcept;
void intrusive_ptr_release(Process* process) noexcept;
using ProcessPtr = boost::intrusive_ptr<Process>;
}  // namespace otter::core
