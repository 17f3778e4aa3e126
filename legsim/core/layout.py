"""Index constants of the packed arrays passed to the numba core."""

# EOM parameter vector
# p[...] as read by legsim.core.eom_generated (see docs/architecture.md and docs/equations.md).
P_M_THIGH = 0   # thigh mass, kg
P_L_THIGH = 1   # thigh length hip->knee, m
P_C_THIGH = 2   # thigh CoM distance from the hip along hip->knee, m
P_I_THIGH = 3   # thigh moment of inertia about its CoM, kg m^2
P_M_SHANK = 4   # shank+foot mass, kg
P_C_SHANK = 5   # shank+foot CoM from the knee along knee->ankle, m
P_D_SHANK = 6   # shank+foot CoM offset perpendicular to knee->ankle, anterior +, m
P_I_SHANK = 7   # shank+foot moment of inertia about its CoM, kg m^2
P_G = 8         # gravitational acceleration, m/s^2 (acts along -y)
N_PARAMS = 9
