// count.cpp OUT: C++ with the state in a std::vector and a std::map; appends "N" to OUT every 50 ms.
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>
int main(int argc, char **argv) {
  std::vector<long> history;
  std::map<std::string, long> state{{"n", 0}};
  for (;;) {
    long n = state["n"]++;
    history.push_back(n);
    std::ofstream(argv[1], std::ios::app) << n << (history.size() == (size_t)n + 1 ? " ok" : " CORRUPT") << "\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}
