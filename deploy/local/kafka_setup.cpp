#include "kafka_setup.h"

#include <array>
#include <fstream>
#include <random>

#include "readiness.h"
#include "service_configs.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out.flush()) throw StartupError("cannot write " + path.string());
}

// Formatting binds the storage to one cluster id, so the id is made once and kept with the data.
std::string ClusterId(const fs::path& file) {
  std::ifstream in(file);
  std::string id;
  if (in >> id && IsKafkaClusterId(id)) return id;
  std::random_device random;
  std::array<std::uint8_t, 16> bytes{};
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(random());
  id = KafkaClusterId(bytes);
  WriteFile(file, id + "\n");
  return id;
}

}  // namespace

std::unique_ptr<ChildProcess> StartKafka(const UpOptions& options, const StackPaths& paths, const Toolbox& tools) {
  const StackPorts ports{options.port_base};
  const fs::path data = paths.kafka / "data";
  fs::create_directories(data);
  fs::create_directories(paths.kafka / "logs");
  WriteFile(paths.kafka / "server.properties", KafkaServerProperties(ports, data));
  WriteFile(paths.kafka / "log4j.properties", KafkaLog4jProperties());
  const std::string cluster_id = ClusterId(paths.kafka / "cluster.id");

  if (!fs::exists(data / "meta.properties")) {
    const fs::path format_log = paths.Log("kafka-format");
    AppendRunHeader(format_log);
    RunOrThrow("formatting Kafka storage", KafkaFormatSpec(tools.java, options.kafka_libs, paths.kafka, cluster_id),
               format_log, 120s);
  }

  const fs::path log = paths.Log("kafka");
  AppendRunHeader(log);
  auto broker = ChildProcess::Start(KafkaSpec(tools.java, options.kafka_libs, paths.kafka), log);
  const ProcessSpec metadata{"kcat", tools.kcat, {"-b", Loopback(ports.Kafka()), "-L", "-m", "2"}};
  WaitUntilReady(*broker, {"kcat -L against " + Loopback(ports.Kafka()),
                           [&] { return TcpPortOpen(ports.Kafka()) && CommandSucceeds(metadata, 10s); }, 180s});
  return broker;
}

}  // namespace nebula::devstack
