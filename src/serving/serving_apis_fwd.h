// The generated TF Serving API messages (proto/tfport_serving/serving_apis.proto).
#pragma once

#include "tfport_serving/serving_apis.pb.h"
