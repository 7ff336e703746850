#pragma once

#include <QtGlobal>

namespace herald {

/** @brief Counters for /metrics and heraldctl status. */
struct HubStats
{
    quint64 framesIn = 0;
    quint64 framesOut = 0;
    quint64 messagesStored = 0;
    quint64 notificationsPublished = 0;
    quint64 notificationsDelivered = 0;
    quint64 slowConsumerDrops = 0;
    quint64 authFailures = 0;
    quint64 stateReloads = 0;     // full re-reads of people, rooms and tokens from storage
    quint64 busEventsRefused = 0; // cluster events that did not decode (logged, dropped)
};

} // namespace herald
