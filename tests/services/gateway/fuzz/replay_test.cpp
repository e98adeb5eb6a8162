// Runs the fuzz entry point over the seed corpus, so CI exercises it without clang/libFuzzer.
#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

TEST_CASE("path template fuzz target replays its seed corpus", "[fuzz]") {
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(NEBULA_GATEWAY_FUZZ_SEEDS)) {
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path());
    REQUIRE(LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()) == 0);
    ++replayed;
  }
  REQUIRE(replayed >= 10);
}
