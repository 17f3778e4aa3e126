"""Index constants of the packed arrays the compiled core works on (SI units, radians).

The EOM parameters (indices 0-8, `layout.P_*`) come first in the model-parameter vector, so
the same vector can be passed to the generated `mass_matrix_forcing`.
"""
from __future__ import annotations

# ---- state vector -------------------------------------------------------------------------
S_THETA, S_PHI, S_THETA_DOT, S_PHI_DOT = 0, 1, 2, 3
S_ACT = 4                      # 4 activations: hip flexors, hip extensors, knee flexors, knee extensors
N_DYNAMIC = 8                  # theta, phi, their rates, 4 activations: the states that steer step size
S_HIP_FLEX_IMPULSE = 8         # integral of max(hip torque, 0) dt
S_HIP_POS_WORK, S_HIP_NEG_WORK = 9, 10
S_KNEE_POS_WORK, S_KNEE_NEG_WORK = 11, 12
S_HEEL_IMPULSE = 13            # integral of the heel-buttock contact force
N_STATE = 14

# generator order (matches legsim.model.actuators.GENERATORS)
G_HIP_FLEX, G_HIP_EXT, G_KNEE_FLEX, G_KNEE_EXT = 0, 1, 2, 3

# ---- model-parameter vector (after the 9 EOM parameters of layout.py) ---------------------
M_L_SHANK = 9
M_HEEL_ALONG, M_HEEL_PERP, M_TOE_ALONG, M_TOE_PERP = 10, 11, 12, 13
M_BUTT_X, M_BUTT_Y, M_BUTT_R = 14, 15, 16
M_PASSIVE = 17                 # 1: passive structures on, 0: off (model.passive: false)
M_RIENER = 18                  # 1: Riener & Edrich passive moments
M_ANKLE_DORSI_DEG = 19         # ankle dorsiflexion (deg) used by the Riener & Edrich knee moment
M_DAMPING = 20                 # joint damping, N m s/rad
M_KNEE_LO, M_KNEE_HI, M_LIM_K, M_LIM_D = 21, 22, 23, 24
M_CONTACT_K, M_CONTACT_C = 25, 26
M_CORD_ON, M_CORD_AX, M_CORD_AY, M_CORD_S, M_CORD_K, M_CORD_REST = 27, 28, 29, 30, 31, 32
M_TAU_ACT, M_TAU_DEACT = 33, 34
M_GEN = 35                     # 4 generators x GEN_W values
GEN_T0, GEN_OPT, GEN_WIDTH, GEN_WMAX, GEN_WC, GEN_ECC, GEN_SLOPE = 0, 1, 2, 3, 4, 5, 6
GEN_W = 7
M_TORQUE_TABLE = M_GEN + 4 * GEN_W   # 1: joint torques replayed from a table instead of generators
M_HIP_LO, M_HIP_HI, M_HIP_LIM_K, M_HIP_LIM_D = 64, 65, 66, 67   # soft limits of the hip (thigh angle)
N_MP = 68

# ---- phase table: one row per phase -------------------------------------------------------
PH_EXC = 0                     # 4 excitations
PH_HOLD_HIP = 4                # hold mode, target, kp, kd (mode 0 none, 1 fixed target, 2 angle at phase start)
PH_HOLD_KNEE = 8
HOLD_MODE, HOLD_TARGET, HOLD_KP, HOLD_KD = 0, 1, 2, 3
HOLD_NONE, HOLD_FIXED, HOLD_START = 0, 1, 2
PH_NCOND = 12
PH_COND = 13                   # MAX_COND x (quantity, direction, value)
MAX_COND = 4
PH_W = PH_COND + 3 * MAX_COND

# condition quantities (SI): g = direction * (quantity - value); met when g >= 0
Q_THIGH_ANGLE, Q_KNEE_FLEXION, Q_THIGH_VEL, Q_KNEE_VEL = 0, 1, 2, 3
Q_HEEL_BUTTOCK, Q_TIME_IN_PHASE, Q_TIME, Q_SHANK_ANGLE = 4, 5, 6, 7

# ---- end event: (quantity, direction, value, max_time, level, min thigh angle) -------------
# level 1: the event also counts when already met at toe-off or on entering a phase (thigh
# angle, time); level 0: only a crossing counts (thigh peak, ankle passing the knee).
# A crossing counts only with the thigh angle above E_MIN_THETA (rad).
E_Q, E_DIR, E_VALUE, E_MAX_TIME, E_LEVEL, E_MIN_THETA = 0, 1, 2, 3, 4, 5
N_END = 6

# ---- integrator settings ------------------------------------------------------------------
I_METHOD, I_RTOL, I_ATOL, I_STEP, I_MAX_STEP, I_DT_OUT = 0, 1, 2, 3, 4, 5
N_INTEG = 6
METHOD_DOPRI5, METHOD_RK4 = 0, 1

# ---- algebraic outputs at each sample -----------------------------------------------------
O_HIP_TORQUE, O_KNEE_TORQUE = 0, 1              # net joint torques (generators + passive)
O_HIP_ACTIVE, O_KNEE_ACTIVE = 2, 3
O_HIP_PASSIVE, O_KNEE_PASSIVE = 4, 5
O_CAP = 6                                       # 4 capacities (signed as joint torques)
O_KNEE_X, O_KNEE_Y, O_ANKLE_X, O_ANKLE_Y = 10, 11, 12, 13
O_HEEL_X, O_HEEL_Y, O_TOE_X, O_TOE_Y = 14, 15, 16, 17
O_HEEL_BUTTOCK = 18
O_CONTACT_F = 19
O_CORD_F = 20
O_HIP_INERTIA = 21
O_EXC = 22                                      # 4 excitations
N_OUT = 26

# ---- status vector ------------------------------------------------------------------------
ST_CODE, ST_N_OUT, ST_PHASE, ST_N_STEPS, ST_N_REJECT, ST_N_RHS, ST_T_END = 0, 1, 2, 3, 4, 5, 6
N_STATUS = 7
CODE_COMPLETED = 0
CODE_MAX_TIME = 1
CODE_STEP_UNDERFLOW = 2
CODE_NOT_FINITE = 3
CODE_BUFFER_FULL = 4
CODE_TOO_MANY_STEPS = 5
