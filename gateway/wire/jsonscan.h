#pragma once

// Finds one member of a JSON object's top level in the raw text, skipping
// every other value without building it, so a caller that needs a single
// small member (an answer's "usage") does not parse the whole body.
//
//   const JsonScan::Member m = JsonScan::topLevelMember(body, "usage");
//   if (m.status == JsonScan::Status::Found) parse(m.value);  // the raw value text
//
// Keys are compared as raw bytes: a key written with escapes ("\u0075sage")
// reports Unsure, as do a name given twice, brackets that do not balance,
// and text after the object; callers then fall back to a full parse. The
// other members' values are skipped, not validated.

#include <QByteArrayView>

namespace JsonScan {

enum class Status { Found, Absent, Unsure };

struct Member
{
    Status status = Status::Unsure;
    QByteArrayView value;   // the member's value, exactly as written
};

Member topLevelMember(QByteArrayView json, QByteArrayView name);

} // namespace JsonScan
