#pragma once
// The platform's HTML pages: home, post list, single post, and its error pages.
#include <bastion/app/app.hpp>

namespace platform {

void add_pages(bastion::app& app);

}  // namespace platform
