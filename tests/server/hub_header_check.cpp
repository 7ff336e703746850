// Compiled without QtSql on the include path (tests/server/CMakeLists.txt): the network edge
// includes hub.h, and storage (database.h, store.h, QtSql) must stay out of it.
#include "core/hub.h"

namespace {
[[maybe_unused]] const herald::HubStats *stats(const herald::Hub &hub)
{
    return &hub.stats();
}
} // namespace
