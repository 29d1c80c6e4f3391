// The one option parser of the `jejak` commands: "--name value", "--name=value", bare
// switches where a command declares them, and positional arguments where it accepts them.
// cli/commands.cc parses every command's arguments with it before dispatching.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/exit_codes.h"

namespace jejak::cli {

// What a command accepts.
struct ArgSpec {
  std::set<std::string> valued;    // Options that take a value.
  std::set<std::string> switches;  // Options that take none (`audit --full`).
  bool positional = true;          // False: any non-option argument is an error.
};

// A parsed command line: option values, switches given, positional arguments in order.
struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
  std::set<std::string> switches;

  // The value of option `name`, if given.
  std::optional<std::string> Get(const std::string& name) const {
    auto found = flags.find(name);
    if (found == flags.end()) return std::nullopt;
    return found->second;
  }
  // Whether switch `name` was given.
  bool Has(const std::string& name) const { return switches.count(name) > 0; }
};

// Parses `args` (the arguments after the command name) against `spec` into `out`.
// Returns a usage Failure ("unknown option --x", "option --x needs a value", "option --x
// given twice", "option --x takes no value", "unexpected argument y") without a command
// prefix, or nullopt.
std::optional<Failure> ParseArgs(const std::vector<std::string>& args, const ArgSpec& spec, Args& out);

}  // namespace jejak::cli
