#include "service_configs.h"

#include <sstream>

namespace nebula::devstack {

std::string KafkaServerProperties(const StackPorts& ports, const std::filesystem::path& data_dir) {
  const std::string broker = Loopback(ports.Kafka());
  const std::string controller = Loopback(ports.KafkaController());
  std::ostringstream out;
  // Java .properties: '#' starts a comment only at the beginning of a line.
  out << "# written by nebula-devstack on every start; edits are overwritten\n"
      << "process.roles=broker,controller\n"
      << "node.id=1\n"
      << "controller.quorum.voters=1@" << controller << "\n"
      << "listeners=PLAINTEXT://" << broker << ",CONTROLLER://" << controller << "\n"
      << "advertised.listeners=PLAINTEXT://" << broker << "\n"
      << "controller.listener.names=CONTROLLER\n"
      << "inter.broker.listener.name=PLAINTEXT\n"
      << "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT\n"
      << "log.dirs=" << data_dir.string() << "\n"
      << "num.partitions=1\n"
      << "offsets.topic.replication.factor=1\n"
      << "# one partition: a fast first consumer-group join\n"
      << "offsets.topic.num.partitions=1\n"
      << "transaction.state.log.replication.factor=1\n"
      << "transaction.state.log.min.isr=1\n"
      << "transaction.state.log.num.partitions=1\n"
      << "group.initial.rebalance.delay.ms=0\n"
      << "# the api-manager creates its topics; typos in topic names must fail loudly\n"
      << "auto.create.topics.enable=false\n"
      << "# the cleaner allocates its dedupe buffer eagerly (128 MiB by default)\n"
      << "log.cleaner.dedupe.buffer.size=16777216\n"
      << "num.network.threads=2\n"
      << "num.io.threads=2\n"
      << "background.threads=2\n";
  return out.str();
}

std::string KafkaLog4jProperties() {
  return "log4j.rootLogger=INFO, stderr\n"
         "log4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
         "log4j.appender.stderr.Target=System.err\n"
         "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
         "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
         "log4j.logger.kafka.request.logger=WARN\n"
         "log4j.logger.state.change.logger=WARN\n"
         "log4j.logger.kafka.controller=INFO\n"
         "log4j.logger.org.apache.kafka.raft=WARN\n";
}

// A leading '-' would make Kafka's own argument parser read the id as an option, so, like Kafka's
// Uuid.randomUuid(), ids never start with one: the top six bits of the first byte may not be 62.
std::string KafkaClusterId(std::array<std::uint8_t, 16> random_bytes) {
  if ((random_bytes[0] >> 2) == 62) random_bytes[0] &= 0x7f;
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::uint8_t byte : random_bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      out += kAlphabet[(buffer >> (bits - 6)) & 0x3f];
      bits -= 6;
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

bool IsKafkaClusterId(const std::string& text) {
  if (text.size() != 22 || text.front() == '-') return false;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string RegistryConfig(const StackPorts& ports, const std::filesystem::path& storage_dir) {
  std::ostringstream out;
  out << "# written by nebula-devstack on every start; edits are overwritten\n"
      << "version: 0.1\n"
      << "log:\n"
      << "  level: info\n"
      << "  formatter: text\n"
      << "storage:\n"
      << "  filesystem:\n"
      << "    rootdirectory: " << storage_dir.string() << "\n"
      << "  delete:\n"
      << "    enabled: true\n"
      << "http:\n"
      << "  addr: " << Loopback(ports.Registry()) << "\n";
  return out.str();
}

const std::vector<std::string>& SampleImageApplets() {
  static const std::vector<std::string> applets{
      "sh",      "ash",  "httpd", "env",      "sleep", "cat",   "echo",   "ls",      "mkdir", "rm",    "cp",
      "mv",      "ln",   "touch", "chmod",    "pwd",   "true",  "false",  "printf",  "test",  "[",     "kill",
      "id",      "date", "uname", "hostname", "ps",    "top",   "grep",   "sed",     "awk",   "head",  "tail",
      "tee",     "wc",   "sort",  "uniq",     "find",  "xargs", "wget",   "nc",      "vi",    "which", "basename",
      "dirname", "expr", "seq",   "df",       "du",    "free",  "uptime", "netstat", "ip",    "ping",  "nslookup"};
  return applets;
}

std::vector<std::string> SampleImageChanges() {
  return {
      "ENV PATH=/bin", "EXPOSE 80/tcp", "WORKDIR /",
      // sh stays PID 1 with a TERM trap: httpd as PID 1 would ignore SIGTERM and every stop would
      // wait out the full timeout before SIGKILL.
      R"(CMD ["/bin/sh", "-c", "mkdir -p /www && echo \"hello from $HOSTNAME $GREETING\" > /www/index.html; httpd -f -p 80 -h /www & trap 'exit 0' TERM INT; wait"])"};
}

}  // namespace nebula::devstack
