/// The one-file C manifest target of a generated Swift driver.
enum SwiftManifestTemplate {
    static let text = #"""
/* The manifest of {{NAME}}: Swift cannot place a string in an ELF section, so it lives in this
 * one-file C target. It must say what the PluginDefinition in Sources/{{TYPE}} says. */
#include <paddock/plugin.h>

PADDOCK_MANIFEST("{\"name\":\"{{NAME}}\",\"version\":\"0.1.0\",\"kinds\":[\"{{KIND}}\"],\"abi\":\"1.0\","
                 "\"description\":\"{{DESCRIPTION}}\",\"license\":\"MIT\",\"thread_safe\":false,"
                 "\"config_schema\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{}}}");
"""#
}
