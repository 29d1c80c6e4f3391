// The one option parser of the `jejak` commands: "--name value", "--name=value", bare
// switches where a command declares them, options a command lets be given more than once
// (`--witness-key`), and positional arguments where it accepts them. cli/commands.cc
// parses every command's arguments with it before dispatching.
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
  // Options of `valued` that may be given more than once (every value is kept, in order);
  // every other option given twice is an error. (Its "{}" lets a spec written without it
  // stay free of -Wmissing-field-initializers.)
  std::set<std::string> repeatable{};
};

// A parsed command line: option values, switches given, positional arguments in order.
struct Args {
  std::map<std::string, std::string> flags;  // Options given once (not repeatable ones).
  std::vector<std::string> positional;
  std::set<std::string> switches;
  std::map<std::string, std::vector<std::string>> repeated{};  // Repeatable options' values.

  // The value of option `name`, if given (for a repeatable option: its first value).
  std::optional<std::string> Get(const std::string& name) const {
    if (auto found = flags.find(name); found != flags.end()) return found->second;
    if (auto found = repeated.find(name); found != repeated.end() && !found->second.empty()) {
      return found->second.front();
    }
    return std::nullopt;
  }
  // Every value of option `name` in the order given: empty if it was not given, one value
  // for an option that is not repeatable.
  std::vector<std::string> GetAll(const std::string& name) const {
    if (auto found = repeated.find(name); found != repeated.end()) return found->second;
    if (auto found = flags.find(name); found != flags.end()) return {found->second};
    return {};
  }
  // Whether switch `name` was given.
  bool Has(const std::string& name) const { return switches.count(name) > 0; }
};

// Parses `args` (the arguments after the command name) against `spec` into `out`.
// Returns a usage Failure ("unknown option --x", "option --x needs a value", "option --x
// given twice" unless --x is repeatable, "option --x takes no value", "unexpected argument
// y") without a command prefix, or nullopt. Values of repeatable options go to
// `out.repeated`, all others to `out.flags`.
std::optional<Failure> ParseArgs(const std::vector<std::string>& args, const ArgSpec& spec, Args& out);

}  // namespace jejak::cli
