// How the CLI renders results: a table for people, JSON (proto3 JSON mapping, as the REST gateway
// shows it) and YAML (the same document) for scripts. Pure functions of their inputs.
#pragma once

#include <google/protobuf/message.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/timestamp.pb.h>

#include "nebula/v1/app.pb.h"

namespace nebula::cli {

enum class OutputFormat { kTable, kJson, kYaml };

// Indented proto3 JSON with a trailing newline.
std::string ToJson(const google::protobuf::Message& message);
// YAML 1.2 of a JSON document (block style; strings quoted only where plain YAML would misread them).
std::string JsonToYaml(std::string_view json);
std::string Render(const google::protobuf::Message& message, OutputFormat format);

// NAME GENERATION IMAGE CONTAINERS RUNNING UPDATED, one row per app, columns padded to fit.
std::string AppTable(const std::vector<v1::App>& apps, std::chrono::system_clock::time_point now);

// Rows of cells (the first row is the header), columns padded to fit; "-" for an empty cell.
std::string Table(const std::vector<std::vector<std::string>>& rows);
// kubectl-style age of a protobuf timestamp; "-" if unset.
std::string AgeOf(const google::protobuf::Timestamp& time, bool set, std::chrono::system_clock::time_point now);

// "1/host", "3/host", "2/cpu", "1/512MiB": the CONTAINERS column.
std::string ContainersColumn(const v1::AppSpec& spec);
// kubectl-style age: "45s", "12m", "5h", "3d"; "-" for a missing time.
std::string Age(std::chrono::system_clock::duration age);

}  // namespace nebula::cli
