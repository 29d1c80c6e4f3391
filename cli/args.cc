// The option parser (cli/args.h), shared by every command.
#include "cli/args.h"

namespace jejak::cli {

std::optional<Failure> ParseArgs(const std::vector<std::string>& args, const ArgSpec& spec, Args& out) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() <= 2) {
      if (!spec.positional) return UsageError("unexpected argument " + arg);
      out.positional.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const std::size_t equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    }
    if (spec.switches.count(name)) {
      if (value) return UsageError("option --" + name + " takes no value");
      if (!out.switches.insert(name).second) return UsageError("option --" + name + " given twice");
      continue;
    }
    if (!spec.valued.count(name)) return UsageError("unknown option --" + name);
    if (!value) {
      if (i + 1 >= args.size()) return UsageError("option --" + name + " needs a value");
      value = args[++i];
    }
    if (spec.repeatable.count(name)) {
      out.repeated[name].push_back(*value);
      continue;
    }
    if (!out.flags.emplace(name, *value).second) return UsageError("option --" + name + " given twice");
  }
  return std::nullopt;
}

}  // namespace jejak::cli
