// Runs the transcoding fuzz entry point over its seed corpus, so CI exercises it without clang.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

TEST_CASE("transcode fuzz target replays its seed corpus", "[fuzz]") {
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(NEBULA_GATEWAY_TRANSCODE_SEEDS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path());
    REQUIRE(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()) == 0);
    ++replayed;
  }
  REQUIRE(replayed >= 7);
}
