// keelctl: the Keelson command-line client.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return keelson::cli::RunKeelctl(args, std::cin, std::cout, std::cerr);
}
