// herald-bench scenarios: one function per scenario, each in its own file; main.cpp's table
// maps the command-line names to them.
#pragma once

namespace bench {

struct Run;

/** @brief A scenario of the command line: herald-bench NAME [options]. */
struct Scenario
{
    const char *name;
    int (*run)(Run &run);
    const char *help; // its options, with their full-size defaults
};

int roomFanout(Run &run);               // roomfanout.cpp
int roomFanoutCluster(Run &run);        // roomfanoutcluster.cpp
int chatRoom(Run &run);                 // chatroom.cpp
int notifyFanout(Run &run);             // notifyfanout.cpp
int connectStorm(Run &run);             // connectstorm.cpp
int idleCapacity(Run &run);             // idle.cpp
int resumeStorm(Run &run);              // resumestorm.cpp
int publishThroughput(Run &run);        // publishthroughput.cpp
int publishThroughputCluster(Run &run); // publishthroughputcluster.cpp
int purgeUnderLoad(Run &run);           // purgeunderload.cpp

} // namespace bench
